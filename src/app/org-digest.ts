import { buildOrgView, type OrgAccountRegion, type OrgView } from "../domain/org-view.js";
import type { DeliveryResult, Notifier, OrgStateStore } from "../ports.js";
import { buildOrgDigestMessages } from "../report/org-digest.js";
import type { Log } from "./process-findings.js";

/** The Slack route of the org digest: its webhook secret is `<slackSecretPrefix>org` (org/serverless.yml). */
export const ORG_DIGEST_ROUTE = "org";

/** Reads every account-region item once (one item each, no per-secret item) and builds the org view. */
export async function readOrgView(
  store: OrgStateStore,
  now: Date,
): Promise<{ view: OrgView; itemsRead: number }> {
  const items: OrgAccountRegion[] = [];
  for await (const page of store.accountRegions()) items.push(...page);
  return { view: buildOrgView(items, now), itemsRead: items.length };
}

export interface OrgDigestDeps {
  store: OrgStateStore;
  notifier: Notifier;
  now: Date;
  log: Log;
  /** The central table's name, shown in the digest's pointer to `governor org report`. */
  table?: string;
}

export interface OrgDigestResult {
  itemsRead: number;
  view: OrgView;
  delivery: DeliveryResult;
}

/**
 * The scheduled org digest: the org view from the central table, one Slack message (split only if Slack's
 * limits require it). A failed delivery is logged with `slackDeliveryFailed` (the metric filter's field) and
 * returned; the next scheduled digest is the retry, as it is newer anyway.
 */
export async function sendOrgDigest(deps: OrgDigestDeps): Promise<OrgDigestResult> {
  const { view, itemsRead } = await readOrgView(deps.store, deps.now);
  const messages = buildOrgDigestMessages(view, deps.table ? { table: deps.table } : {});
  const delivery = await deps.notifier.deliver(
    messages.map((message) => ({ route: ORG_DIGEST_ROUTE, message })),
  );
  if (delivery.failed.length > 0)
    deps.log.error("org digest not delivered", {
      slackDeliveryFailed: delivery.failed.length,
      reasons: delivery.failed.map((f) => f.reason),
    });
  deps.log.info("org digest", {
    itemsRead,
    accounts: view.accounts,
    accountRegions: view.accountRegions,
    silent: view.silent.length,
    sent: delivery.sent,
  });
  return { itemsRead, view, delivery };
}
