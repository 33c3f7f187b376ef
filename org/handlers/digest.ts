import { deadlineOf, type LambdaContext } from "../../src/app/lambda-events.js";
import { type OrgDigestDeps, sendOrgDigest } from "../../src/app/org-digest.js";
import { orgNotifier } from "../../src/composition/org-digest-runtime.js";
import { getOrgRuntime } from "../../src/composition/org-runtime.js";

/** Lambda entry of the scheduled org digest (org/serverless.yml). Tests call makeHandler with fakes. */
export function makeHandler(deps: (now: Date, deadline?: number) => OrgDigestDeps) {
  return async (_event?: unknown, context?: LambdaContext) => {
    const { itemsRead, view, delivery } = await sendOrgDigest(deps(new Date(), deadlineOf(context)));
    // An undelivered digest fails the invocation: the errors alarm shows it; the next schedule sends a newer one.
    if (delivery.failed.length > 0)
      throw new Error(
        `org digest: ${delivery.failed.length} messages not delivered: ${delivery.failed[0]?.reason}`,
      );
    return { itemsRead, accounts: view.accounts, silent: view.silent.length, sent: delivery.sent };
  };
}

export const handler = makeHandler((now, deadline) => {
  const { store, log, table } = getOrgRuntime();
  return { store, log, now, table, notifier: orgNotifier(deadline) };
});
