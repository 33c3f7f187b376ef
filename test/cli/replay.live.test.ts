import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGovernor } from "../helpers/cli.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../helpers/moto-dynamodb.js";

/**
 * `governor replay --live` with the stack's state table (GOVERNOR_STATE_TABLE) counts denied reads in that table,
 * as the access-failure function does: denials replayed in separate runs add up to one incident, and a replay of
 * an event already handled is skipped. Without the table each run counts alone.
 */
describe("governor replay --live with the state table (moto)", () => {
  let moto: Moto;
  let dir: string;
  let table: string;
  let events: string[];

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), "governor-replay-live-"));
    const sm = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: "app/active", SecretString: "not read" }));
    sm.destroy();
    const dynamo = motoDynamoClient(moto.endpoint);
    table = await createStateTable(dynamo, "governor-state");
    dynamo.destroy();
    // Three denials of the same role on that secret, a minute apart (the policy: 3 within 15 minutes).
    const sample = JSON.parse(readFileSync("examples/events/05-getsecretvalue-accessdenied.json", "utf8"));
    events = [1, 2, 3].map((i) => {
      const event = structuredClone(sample);
      event.id = `00000000-0000-4000-8000-00000000000${i}`;
      event.detail.eventID = `10000000-0000-4000-8000-00000000000${i}`;
      event.time = event.detail.eventTime = `2026-11-23T09:1${i}:00Z`;
      event.detail.requestParameters.secretId = ARN;
      const file = join(dir, `denied-${i}.json`);
      writeFileSync(file, JSON.stringify(event));
      return file;
    });
  }, 60_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await moto.stop();
  });

  async function replay(
    file: string,
    env: Record<string, string> = {},
  ): Promise<{ code: number | null; json: Replay }> {
    const argv = ["replay", file, "--live", "--now", "2026-11-23T09:20:00Z", "--format", "json"];
    const { code, stdout } = await runGovernor(
      [...argv, "--account-id", "123456789012", "--region", "us-east-1"],
      {
        ...MOTO_ENV,
        AWS_ENDPOINT_URL: moto.endpoint,
        ...env,
      },
    );
    return { code, json: JSON.parse(stdout) as Replay };
  }

  interface Replay {
    events: { decisions: { action: string; reason: string }[]; notes?: string[] }[];
  }
  const incidents = (r: Replay) => r.events.flatMap((e) => e.decisions).filter((d) => d.action === "notify");

  it("without the table, each run counts alone: three runs of one denial make no incident", async () => {
    for (const file of events) {
      const { code, json } = await replay(file);
      expect(code).toBe(0);
      expect(incidents(json)).toEqual([]);
    }
  }, 60_000);

  it("with the table, denials of separate runs add up: the third makes the incident, and a replayed event is skipped", async () => {
    const env = { GOVERNOR_STATE_TABLE: table };
    const first = await replay(events[0] as string, env);
    const second = await replay(events[1] as string, env);
    const third = await replay(events[2] as string, env);
    const again = await replay(events[2] as string, env);

    expect([first.code, second.code, third.code, again.code]).toEqual([0, 0, 0, 0]);
    expect(incidents(first.json)).toEqual([]);
    expect(incidents(second.json)).toEqual([]);
    expect(incidents(third.json).map((d) => d.reason)).toEqual([
      expect.stringContaining("3 failures within 15 minutes"),
    ]);
    expect(incidents(again.json)).toEqual([]);
    expect(JSON.stringify(again.json.events[0]?.notes)).toContain("handled before");
  }, 60_000);
});
