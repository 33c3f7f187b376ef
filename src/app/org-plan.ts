import type { Mode } from "../domain/decision.js";
import { arnAccountRegion } from "../domain/org-events.js";
import type { Secret } from "../domain/secret.js";
import { InputError } from "../errors.js";
import { type OrgRollup, rollupOrgSummaries } from "../policy/org-rollup.js";
import { buildOrgSummary } from "../policy/org-summary.js";
import { planAccount } from "../policy/plan.js";
import type { Policy } from "../policy/schema.js";

/** One account-region's inventory, as read from a file of `governor org plan`'s folder. */
export interface AccountRegionInventory {
  /** Where it came from, for the messages. */
  source: string;
  /** The account and region the file's name says, when it is named ACCOUNT-REGION.json. */
  named?: { accountId: string; region: string };
  secrets: readonly Secret[];
}

const NAME_RE = /^(\d{12})-([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.json$/;

/** The account and region a file name says (ACCOUNT-REGION.json), if it says one. */
export function accountRegionOfName(fileName: string): { accountId: string; region: string } | undefined {
  const match = NAME_RE.exec(fileName);
  return match ? { accountId: match[1] as string, region: match[2] as string } : undefined;
}

/**
 * The account and region an inventory speaks for: its name's, its ARNs' (all of them the same), both when they
 * agree. An inventory that mixes accounts or regions, or whose ARNs contradict its name, is refused: its figures
 * would land on the wrong row.
 */
export function accountRegionOf(inventory: AccountRegionInventory): { accountId: string; region: string } {
  const found = new Map<string, { accountId: string; region: string; arn: string }>();
  for (const secret of inventory.secrets) {
    const where = arnAccountRegion(secret.arn) ?? { accountId: secret.accountId, region: secret.region };
    found.set(`${where.accountId} ${where.region}`, { ...where, arn: secret.arn });
  }
  const seen = [...found.values()];
  if (seen.length > 1)
    throw new InputError(
      `${inventory.source}: secrets of several accounts or regions (${seen.map((s) => `${s.accountId} ${s.region}`).join(", ")}): one file per account and region`,
      inventory.source,
    );
  const fromArns = seen[0];
  const named = inventory.named;
  if (named && fromArns && (named.accountId !== fromArns.accountId || named.region !== fromArns.region))
    throw new InputError(
      `${inventory.source}: named for account ${named.accountId} in ${named.region}, but ${fromArns.arn} is in account ${fromArns.accountId}, ${fromArns.region}`,
      inventory.source,
    );
  const result = named ?? fromArns;
  if (!result)
    throw new InputError(
      `${inventory.source}: no secrets to tell the account and region by: name it ACCOUNT-REGION.json`,
      inventory.source,
    );
  return { accountId: result.accountId, region: result.region };
}

/**
 * The organization's plan, offline: each account-region planned as its own governor would plan it (the same
 * planner, policy and date), summarised as its sweep would report it, and rolled up. Two files for one
 * account-region are refused.
 */
export function planOrganization(
  inventories: readonly AccountRegionInventory[],
  policy: Policy,
  now: Date,
  mode: Mode,
): OrgRollup {
  const seen = new Map<string, string>();
  const summaries = inventories.map((inventory) => {
    const { accountId, region } = accountRegionOf(inventory);
    const key = `${accountId} ${region}`;
    const other = seen.get(key);
    if (other)
      throw new InputError(
        `${inventory.source} and ${other} are both account ${accountId} in ${region}: keep one`,
        inventory.source,
      );
    seen.set(key, inventory.source);
    const plan = planAccount(inventory.secrets, policy, now, { mode });
    return buildOrgSummary(plan, inventory.secrets, accountId, region, now);
  });
  return rollupOrgSummaries(summaries, now);
}
