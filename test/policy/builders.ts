import { readFileSync } from "node:fs";
import type { ReplicaStatus, Secret } from "../../src/domain/secret.js";
import { type PolicyProblem, PolicyValidationError } from "../../src/errors.js";
import { loadPolicy, type PolicyText } from "../../src/policy/load.js";
import type { Policy } from "../../src/policy/schema.js";

/** The date every engine test runs on, unless it says otherwise. */
export const NOW = new Date("2026-11-23T00:00:00Z");

/** `days` calendar days before NOW, at midnight UTC (as AWS keeps LastAccessedDate). */
export function daysAgo(days: number, from: Date = NOW): Date {
  return new Date(from.getTime() - days * 86_400_000);
}

export function isoDaysAgo(days: number, from: Date = NOW): string {
  return daysAgo(days, from).toISOString().slice(0, 10);
}

export interface SecretSpec extends Partial<Omit<Secret, "replicas">> {
  replicas?: ReplicaStatus[] | undefined;
}

/** A secret in us-east-1 created long ago, read yesterday, with the given overrides. */
export function makeSecret(spec: SecretSpec = {}): Secret {
  const name = spec.name ?? "app/db";
  const region = spec.region ?? "us-east-1";
  const secret: Secret = {
    arn: `arn:aws:secretsmanager:${region}:123456789012:secret:${name}-Ab12Cd`,
    name,
    region,
    accountId: "123456789012",
    tags: {},
    createdDate: new Date("2024-01-01T00:00:00Z"),
    lastAccessedDate: daysAgo(1),
    rotationEnabled: false,
    replicas: [],
    ...spec,
  };
  if ("replicas" in spec && spec.replicas === undefined) delete secret.replicas;
  if ("lastAccessedDate" in spec && spec.lastAccessedDate === undefined) delete secret.lastAccessedDate;
  if ("createdDate" in spec && spec.createdDate === undefined) delete secret.createdDate;
  return secret;
}

/** A secret at a lifecycle stage since `sinceDaysAgo` days, unread for `unreadDays` days. */
export function stagedSecret(
  stage: string,
  sinceDaysAgo: number,
  spec: SecretSpec = {},
  unreadDays = 200,
): Secret {
  return makeSecret({
    lastAccessedDate: daysAgo(unreadDays),
    ...spec,
    tags: { "governor:stage": stage, "governor:stage-since": isoDaysAgo(sinceDaysAgo), ...spec.tags },
  });
}

/**
 * A policy text with what every policy needs and a test about something else leaves out, `version: 1` and a
 * `rules:` list, added at its end when missing: the test's line numbers stay those of the text it writes.
 */
export function asPolicyFile(text: string): string {
  let out = text === "" || text.endsWith("\n") ? text : `${text}\n`;
  if (!/^version:/m.test(out)) out += "version: 1\n";
  if (!/^rules:/m.test(out)) out += "rules: []\n";
  return out;
}

export function loadYaml(...texts: string[]): Policy {
  return loadPolicy(texts.map((text, i) => ({ path: `p${i}.yml`, text: asPolicyFile(text) }))).policy;
}

export function defaultPolicy(): Policy {
  return loadPolicy([{ path: "policies/default.yml", text: readFileSync("policies/default.yml", "utf8") }])
    .policy;
}

/** The problems a policy is rejected with (each completed by `asPolicyFile`); fails when it loads. */
export function problemsOf(texts: PolicyText[]): PolicyProblem[] {
  try {
    loadPolicy(texts.map((t) => ({ ...t, text: asPolicyFile(t.text) })));
  } catch (error) {
    if (error instanceof PolicyValidationError) return error.problems;
    throw error;
  }
  throw new Error("expected the policy to be rejected");
}

/** `file:line:col: message` lines, as the CLI prints them. */
export function problemLines(texts: PolicyText[]): string[] {
  return problemsOf(texts).map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`);
}

/** The default policy with the rules replaced (YAML of the `rules:` list, indented as in a file). */
export function withRules(rules: string, header = ""): Policy {
  return loadYaml(`${header}rules:\n${rules}`);
}
