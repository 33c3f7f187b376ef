import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const NOW = "2026-11-23T10:00:00Z";
const QUARANTINE_DENIAL = "examples/events/03-getsecretvalue-denied-by-quarantine.json";
const OURS = "arn:aws:sts::123456789012:assumed-role/reporting-batch/i-0abc123";
const ATTACKER = "arn:aws:sts::999999999999:assumed-role/attacker/x";

// biome-ignore lint/suspicious/noExplicitAny: an event is edited field by field, as CloudTrail varies it
type Json = Record<string, any>;

/** The quarantine denial with its requestParameters null: the secret is named only in errorMessage. */
function namedInMessage(resource: string, user = OURS): string {
  const event: Json = JSON.parse(readFileSync(QUARANTINE_DENIAL, "utf8"));
  event.detail.requestParameters = null;
  event.detail.errorMessage = `User: ${user} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${resource} with an explicit deny in a resource-based policy`;
  const file = join(mkdtempSync(join(tmpdir(), "governor-")), "event.json");
  writeFileSync(file, JSON.stringify(event));
  return file;
}

async function replayJson(file: string): Promise<{ code: number; events: Json[] }> {
  const { code, stdout } = await runCli(
    "replay",
    file,
    "--account",
    "examples/account.json",
    "--now",
    NOW,
    "--mode",
    "enforce",
    "--format",
    "json",
  );
  return { code, events: (JSON.parse(stdout) as { events: Json[] }).events };
}

describe("governor replay of a denied read named only in errorMessage", () => {
  it.each([
    ["by name", "app/quarantined-20d"],
    ["by ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/quarantined-20d-Uv34Wx"],
  ])("decides %s as it does with requestParameters", async (_label, resource) => {
    // Act
    const original = await replayJson(QUARANTINE_DENIAL);
    const named = await replayJson(namedInMessage(resource));

    // Assess
    expect(named.code).toBe(0);
    const { file: _a, ...want } = original.events[0] as Json;
    const { file: _b, ...got } = named.events[0] as Json;
    // The secret was found: its quarantine counts the denial towards proof of use.
    expect(got.notes).toEqual([expect.stringMatching(/^1 of 3 failures .*the secret stays quarantined$/)]);
    const finding = { ...want.finding, secret: resource, access: { ...want.finding.access } };
    finding.access.errorMessage = finding.access.errorMessage.replace(want.finding.secret, resource);
    expect(got).toEqual({ ...want, finding });
  });

  it("refuses a name in the message of a caller of another account, and changes nothing", async () => {
    // Act
    const { code, events } = await replayJson(namedInMessage("app/quarantined-20d", ATTACKER));

    // Assess
    expect(code).toBe(2);
    expect(events[0]?.refused).toMatch(
      /app\/quarantined-20d is named by name only by a caller of account 999999999999/,
    );
    expect(events[0]?.actions).toEqual([]);
  });
});
