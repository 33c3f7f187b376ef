import type { AsffFinding } from "../domain/asff.js";
import type { Decision, Mode } from "../domain/decision.js";
import type { Secret } from "../domain/secret.js";
import type { Policy } from "../policy/schema.js";
import { reconcileSweep } from "../report/security-hub.js";

/**
 * `--format asff`: what a sweep would import into Security Hub for this plan, as the input of
 * `aws securityhub batch-import-findings --cli-input-json` takes it. Offline there is no record of what was
 * reported before, so it shows today's state only: the open findings, and the resolutions of the way back.
 */
export function asffDocument(
  decisions: readonly Decision[],
  secrets: readonly Secret[],
  policy: Policy,
  now: Date,
  mode: Mode,
): { Findings: AsffFinding[] } {
  return { Findings: reconcileSweep({ decisions, secrets, reported: [], policy, now, mode }).findings };
}
