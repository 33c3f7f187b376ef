import {
  type AdvancedSelector,
  type BasicEventSelector,
  type FieldSelector,
  makePrerequisitesReader,
  type PrerequisiteFacts,
  type PrerequisitesReader,
  type RecorderFacts,
  type TrailFacts,
} from "../adapters/prerequisites.js";
import { GovernorConfig } from "../config.js";
import { parseCommandArgs } from "./args.js";
import type { Terminal } from "./io.js";
import { terminalSafeLine } from "./terminal.js";
import { UsageError } from "./usage.js";

/** The resource type the stack's Config rules evaluate. */
export const SECRET_RESOURCE_TYPE = "AWS::SecretsManager::Secret";
const DOCS = "docs/deployment.md, step 1";

/** One prerequisite, checked: a line of `governor preflight`. */
export interface PrerequisiteCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** How to fix it, when it is not ok. */
  fix?: string;
}

const pass = (name: string, detail: string): PrerequisiteCheck => ({ name, ok: true, detail });
const fail = (name: string, detail: string, fix: string): PrerequisiteCheck => ({
  name,
  ok: false,
  detail,
  fix,
});
const CALLER_FIX =
  "check the credentials and region, and that the caller may call it (docs/deployment.md, 'Preflight')";

/** Whether a recorder records secrets, and how it says so. */
function recordsSecrets(recorder: RecorderFacts): { records: boolean; how: string } {
  const group = recorder.recordingGroup;
  if (!group) return { records: true, how: "records every supported resource type (Config's default)" };
  const strategy = group.strategy;
  if (strategy === "EXCLUSION_BY_RESOURCE_TYPES" || (!strategy && group.excludedResourceTypes.length > 0)) {
    return group.excludedResourceTypes.includes(SECRET_RESOURCE_TYPE)
      ? { records: false, how: `excludes ${SECRET_RESOURCE_TYPE} (exclusionByResourceTypes)` }
      : {
          records: true,
          how: `records every supported resource type but ${group.excludedResourceTypes.length} excluded`,
        };
  }
  if (strategy === "ALL_SUPPORTED_RESOURCE_TYPES" || (!strategy && group.allSupported === true))
    return { records: true, how: "records every supported resource type" };
  return group.resourceTypes.includes(SECRET_RESOURCE_TYPE)
    ? {
        records: true,
        how: `records ${SECRET_RESOURCE_TYPE} among ${group.resourceTypes.length} resource types`,
      }
    : {
        records: false,
        how: `records only ${group.resourceTypes.length ? group.resourceTypes.join(", ") : "no resource type"}`,
      };
}

/** The frequency at which a recorder records secrets: DAILY delays the change-triggered Config rules. */
function secretFrequency(recorder: RecorderFacts): string | undefined {
  const mode = recorder.recordingMode;
  const override = mode?.overrides.find((o) => o.resourceTypes.includes(SECRET_RESOURCE_TYPE));
  return override?.frequency ?? mode?.frequency;
}

function checkConfig(facts: PrerequisiteFacts): PrerequisiteCheck[] {
  const names = {
    recorder: "Config recorder",
    recording: "Config recording",
    secrets: `Config records ${SECRET_RESOURCE_TYPE}`,
  };
  if ("error" in facts.recorders) {
    return [
      fail(names.recorder, facts.recorders.error, CALLER_FIX),
      fail(names.recording, "unknown: no recorder could be read", "see above"),
      fail(names.secrets, "unknown: no recorder could be read", "see above"),
    ];
  }
  // A service-linked recorder records for its own service; the stack's rules need the account's own recorder.
  const recorder = facts.recorders.value.find((r) => !r.servicePrincipal);
  if (!recorder) {
    const linked = facts.recorders.value.map((r) => `${r.name} (for ${r.servicePrincipal})`);
    return [
      fail(
        names.recorder,
        `no configuration recorder in ${facts.region}${linked.length ? `, only service-linked ones: ${linked.join(", ")}` : ""}; the stack's Config rules cannot be created without one`,
        `create one recording ${SECRET_RESOURCE_TYPE} and a delivery channel, then start it: aws configservice put-configuration-recorder, put-delivery-channel, start-configuration-recorder (${DOCS})`,
      ),
      fail(names.recording, "no configuration recorder", "see above"),
      fail(names.secrets, "no configuration recorder", "see above"),
    ];
  }
  const checks = [pass(names.recorder, `${recorder.name} in ${facts.region}`)];

  const status = recorder.status;
  if (!status?.recording)
    checks.push(
      fail(
        names.recording,
        `${recorder.name} is not recording`,
        `aws configservice start-configuration-recorder --configuration-recorder-name ${recorder.name} (it needs a delivery channel: aws configservice describe-delivery-channels)`,
      ),
    );
  else if (status.lastStatus?.toLowerCase() === "failure")
    checks.push(
      fail(
        names.recording,
        `${recorder.name} is recording, but its last recording failed${status.lastErrorCode ? `: ${status.lastErrorCode}` : ""}${status.lastErrorMessage ? ` (${status.lastErrorMessage})` : ""}`,
        "check the recorder's role (roleARN) and its delivery channel's bucket policy",
      ),
    );
  else checks.push(pass(names.recording, `${recorder.name} is recording`));

  const { records, how } = recordsSecrets(recorder);
  const frequency = secretFrequency(recorder);
  if (records)
    checks.push(
      pass(
        names.secrets,
        `${recorder.name} ${how}${frequency === "DAILY" ? "; daily recording delays the change-triggered rules by up to a day" : ""}`,
      ),
    );
  else
    checks.push(
      fail(
        names.secrets,
        `${recorder.name} ${how}`,
        recorder.recordingGroup?.excludedResourceTypes.includes(SECRET_RESOURCE_TYPE)
          ? `remove ${SECRET_RESOURCE_TYPE} from its exclusionByResourceTypes: aws configservice put-configuration-recorder with its recording group less that type`
          : `add ${SECRET_RESOURCE_TYPE} to its recording group: aws configservice put-configuration-recorder --configuration-recorder name=${recorder.name},roleARN=<its role> --recording-group allSupported=false,resourceTypes=<its types>,${SECRET_RESOURCE_TYPE}`,
      ),
    );
  return checks;
}

/** Which management events of Secrets Manager a set of event selectors logs. */
export interface ManagementCoverage {
  read: boolean;
  write: boolean;
}

function fieldMatches(selector: FieldSelector | undefined, value: string): boolean {
  if (!selector) return true;
  if (selector.Equals && !selector.Equals.includes(value)) return false;
  if (selector.NotEquals?.includes(value)) return false;
  if (selector.StartsWith && !selector.StartsWith.some((p) => value.startsWith(p))) return false;
  if (selector.NotStartsWith?.some((p) => value.startsWith(p))) return false;
  if (selector.EndsWith && !selector.EndsWith.some((p) => value.endsWith(p))) return false;
  if (selector.NotEndsWith?.some((p) => value.endsWith(p))) return false;
  return true;
}

/**
 * The management events of secretsmanager.amazonaws.com that a trail's selectors log. Basic selectors: each with
 * IncludeManagementEvents (default true) logs its ReadWriteType (default All). Advanced selectors: each whose
 * field selectors all match (eventCategory Management, eventSource, readOnly) logs those events. A trail without
 * custom selectors logs every management event (CloudTrail's default).
 */
export function managementCoverage(
  basic: readonly BasicEventSelector[],
  advanced: readonly AdvancedSelector[],
  custom: boolean,
): ManagementCoverage {
  if (!custom && basic.length === 0 && advanced.length === 0) return { read: true, write: true };
  const coverage = { read: false, write: false };
  for (const selector of basic) {
    if (selector.IncludeManagementEvents === false) continue;
    if (selector.ExcludeManagementEventSources?.includes("secretsmanager.amazonaws.com")) continue;
    const type = selector.ReadWriteType ?? "All";
    if (type === "All" || type === "ReadOnly") coverage.read = true;
    if (type === "All" || type === "WriteOnly") coverage.write = true;
  }
  for (const selector of advanced) {
    const fields = new Map((selector.FieldSelectors ?? []).map((f) => [f.Field, f]));
    if (!fields.has("eventCategory") || !fieldMatches(fields.get("eventCategory"), "Management")) continue;
    if (!fieldMatches(fields.get("eventSource"), "secretsmanager.amazonaws.com")) continue;
    if (fieldMatches(fields.get("readOnly"), "true")) coverage.read = true;
    if (fieldMatches(fields.get("readOnly"), "false")) coverage.write = true;
  }
  return coverage;
}

function trailLabel(trail: TrailFacts): string {
  const scope = [
    trail.organization ? "organization" : undefined,
    trail.multiRegion ? "multi-region" : `region ${trail.homeRegion ?? "?"}`,
  ].filter(Boolean);
  return `${trail.name} (${scope.join(", ")})`;
}

function checkCloudTrail(facts: PrerequisiteFacts): PrerequisiteCheck[] {
  const names = { trail: "CloudTrail trail", events: "CloudTrail management events" };
  if ("error" in facts.trails)
    return [
      fail(names.trail, facts.trails.error, CALLER_FIX),
      fail(names.events, "unknown: no trail could be read", "see above"),
    ];
  const trails = facts.trails.value;
  const logging = trails.filter((t) => "value" in t.logging && t.logging.value);
  const checks: PrerequisiteCheck[] = [];
  if (logging.length > 0) {
    checks.push(pass(names.trail, `${logging.map(trailLabel).join(", ")} logging in ${facts.region}`));
  } else if (trails.length === 0) {
    checks.push(
      fail(
        names.trail,
        `no trail logs ${facts.region}: failed reads and rotation outcomes reach EventBridge only through CloudTrail`,
        `aws cloudtrail create-trail --name management-events --s3-bucket-name <bucket> --is-multi-region-trail, then aws cloudtrail start-logging --name management-events (${DOCS})`,
      ),
    );
  } else {
    const why = trails.map((t) =>
      "error" in t.logging ? `${trailLabel(t)}: ${t.logging.error}` : `${trailLabel(t)} is not logging`,
    );
    checks.push(
      fail(
        names.trail,
        why.join("; "),
        trails.every((t) => "error" in t.logging)
          ? CALLER_FIX
          : `aws cloudtrail start-logging --name ${trails.find((t) => !("error" in t.logging))?.arn ?? "<trail>"} (an organization trail: in the management account)`,
      ),
    );
  }

  if (logging.length === 0) {
    checks.push(fail(names.events, "no trail is logging", "see above"));
    return checks;
  }
  const coverage = { read: [] as string[], write: [] as string[] };
  const unreadable: string[] = [];
  for (const trail of logging) {
    if ("error" in trail.selectors) {
      unreadable.push(`${trail.name}: ${trail.selectors.error}`);
      continue;
    }
    const { basic, advanced, custom } = trail.selectors.value;
    const covers = managementCoverage(basic, advanced, custom);
    if (covers.read) coverage.read.push(trail.name);
    if (covers.write) coverage.write.push(trail.name);
  }
  if (coverage.read.length > 0 && coverage.write.length > 0) {
    const same =
      coverage.read.length === 1 && coverage.write.length === 1 && coverage.read[0] === coverage.write[0];
    checks.push(
      pass(
        names.events,
        same
          ? `${coverage.read[0]} logs read and write management events`
          : `read-only by ${coverage.read.join(", ")}, write by ${coverage.write.join(", ")}`,
      ),
    );
    return checks;
  }
  if (coverage.read.length === 0 && coverage.write.length === 0 && unreadable.length === logging.length) {
    checks.push(
      fail(
        names.events,
        `cannot read the event selectors: ${unreadable.join("; ")}`,
        `allow cloudtrail:GetEventSelectors to the caller; for a shadow trail, run preflight in its home region (${logging[0]?.homeRegion ?? "?"})`,
      ),
    );
    return checks;
  }
  const missing = [
    coverage.read.length === 0
      ? "read-only management events (a denied GetSecretValue is one: no access-failure reports without them)"
      : undefined,
    coverage.write.length === 0
      ? "write management events (the rotation-failure route needs them)"
      : undefined,
  ].filter(Boolean);
  const target = logging[0]?.name ?? "<trail>";
  checks.push(
    fail(
      names.events,
      `no logging trail logs ${missing.join(" or ")}${unreadable.length ? `; unreadable: ${unreadable.join("; ")}` : ""}`,
      `aws cloudtrail put-event-selectors --trail-name ${target} --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]' (this replaces its selectors: list its data event selectors too)`,
    ),
  );
  return checks;
}

/** Every check, in order. Pure. */
export function checkPrerequisites(facts: PrerequisiteFacts): PrerequisiteCheck[] {
  return [...checkConfig(facts), ...checkCloudTrail(facts)];
}

export function renderCheck(check: PrerequisiteCheck): string {
  return check.ok
    ? `ok       ${check.name}: ${check.detail}`
    : `missing  ${check.name}: ${check.detail}. Fix: ${check.fix ?? "see docs/deployment.md"}`;
}

/**
 * `governor preflight`: checks, with the caller's credentials, what the stack needs and does not create: an AWS
 * Config recorder that records secrets, and a CloudTrail trail that logs management events. Exit 0 when every
 * check passes, 1 otherwise.
 */
export async function runPreflight(
  argv: string[],
  io: Terminal,
  open: (options: { region?: string; endpoint?: string }) => PrerequisitesReader = makePrerequisitesReader,
): Promise<number> {
  const { values } = parseCommandArgs("preflight", argv, {
    options: { region: { type: "string" } },
  });
  const config = new GovernorConfig();
  const explicit = values.region ?? config.region;
  const reader = open({
    ...(explicit ? { region: explicit } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  });
  const region = explicit ?? (await reader.region());
  if (!region) throw new UsageError("no AWS region: pass --region, or set AWS_REGION or a profile's region");
  const checks = checkPrerequisites(await reader.read(region));
  io.stdout(`Prerequisites in ${region}${config.endpoint ? ` (at ${config.endpoint})` : ""}:\n`);
  // Names, details and AWS error messages are the account's: each check stays on its line.
  for (const check of checks) io.stdout(terminalSafeLine(renderCheck(check)), "\n");
  return checks.every((c) => c.ok) ? 0 : 1;
}
