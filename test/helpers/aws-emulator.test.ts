import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { TagResourceCommand } from "@aws-sdk/client-secrets-manager";
import { afterEach, describe, expect, it } from "vitest";
import {
  makeConfigClient,
  makeEventBridgeClient,
  makeSecretsManagerClient,
} from "../../src/adapters/aws-clients.js";
import { ConfigComplianceSource } from "../../src/adapters/config-compliance.js";
import { NO_PACING } from "../../src/adapters/pacer.js";
import { SecretsManagerStore } from "../../src/adapters/secrets-manager.js";
import { accountOf, entry } from "../fixtures/app/fakes.js";
import { AwsEmulator, evaluationResult, faultsAt, INTERNAL } from "./aws-emulator.js";

const CLIENT = { region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } };
const NOW = new Date("2026-11-23T10:00:00Z");

let emulator: AwsEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function secrets(count: number) {
  return Array.from({ length: count }, (_, i) => entry(`app/s-${i}`));
}

describe("AwsEmulator", () => {
  it("pages ListSecrets by 100 and counts one call per page", async () => {
    emulator = await AwsEmulator.start(accountOf(secrets(250)));
    const store = new SecretsManagerStore(
      makeSecretsManagerClient({ ...CLIENT, endpoint: emulator.endpoint }),
      NO_PACING,
    );
    const sizes: number[] = [];
    for await (const page of store.list()) sizes.push(page.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(emulator.count("ListSecrets").calls).toBe(3);
  });

  it("throttles a write family at its quota, as AWS answers it", async () => {
    // Prepare: the tag quota (50/s) with no burst beyond one second of it, a client that does not retry, and the
    // buckets' clock frozen, so that how fast this machine serves the 80 calls refills nothing.
    emulator = await AwsEmulator.start(accountOf(secrets(1)), {
      quotaScale: 1,
      burstSeconds: 1,
      clock: () => 0,
    });
    const client = makeSecretsManagerClient({ ...CLIENT, endpoint: emulator.endpoint, maxAttempts: 1 });
    const arn = (await accountOf(secrets(1)).describe("app/s-0"))?.arn as string;

    // Act: 80 tag writes at once.
    const results = await Promise.allSettled(
      Array.from({ length: 80 }, (_, i) =>
        client.send(
          new TagResourceCommand({ SecretId: arn, Tags: [{ Key: "governor:n", Value: String(i) }] }),
        ),
      ),
    );

    // Assess: the bucket's 50 pass; the other 30 are ThrottlingException.
    const refused = results.filter((r) => r.status === "rejected");
    expect(refused.length).toBe(30);
    expect((refused[0] as PromiseRejectedResult).reason.name).toBe("ThrottlingException");
    expect(emulator.count("TagResource").throttled).toBe(refused.length);
  });

  it("injects faults at a seeded rate, and the SDK's retries ride them out", async () => {
    emulator = await AwsEmulator.start(accountOf(secrets(300)), {
      fault: faultsAt(0.3, ["secretsmanager"], 7),
    });
    const store = new SecretsManagerStore(
      makeSecretsManagerClient({ ...CLIENT, endpoint: emulator.endpoint, maxAttempts: 10 }),
      NO_PACING,
    );
    let listed = 0;
    for await (const page of store.list()) listed += page.length;
    expect(listed).toBe(300);
    expect(emulator.count("ListSecrets").faulted).toBeGreaterThan(0);
    expect(emulator.count("ListSecrets").calls).toBe(3 + emulator.count("ListSecrets").faulted);
  });

  it("serves Config compliance pages in the real response shape", async () => {
    const rule = "securityhub-secretsmanager-secret-unused-0a1b2c";
    const results = Array.from({ length: 150 }, (_, i) =>
      evaluationResult(rule, `app/s-${i}`, i % 3 === 0 ? "COMPLIANT" : "NON_COMPLIANT", NOW),
    );
    emulator = await AwsEmulator.start(accountOf([]), { compliance: new Map([[rule, results]]) });
    const source = new ConfigComplianceSource(makeConfigClient({ ...CLIENT, endpoint: emulator.endpoint }));
    const findings = [];
    for await (const page of source.findings(NOW)) findings.push(...page);
    expect(findings).toHaveLength(150);
    expect(findings.filter((f) => f.status === "resolved")).toHaveLength(50);
    expect(findings[1]).toMatchObject({ type: "unused", secretId: "app/s-1", status: "open" });
    expect(emulator.count("GetComplianceDetailsByConfigRule").calls).toBe(2);
    expect(emulator.count("DescribeConfigRules").calls).toBe(1);
  });

  it("takes PutEvents and answers 5xx where a fault is picked", async () => {
    emulator = await AwsEmulator.start(accountOf([]));
    const client = makeEventBridgeClient({ ...CLIENT, endpoint: emulator.endpoint, maxAttempts: 1 });
    const entries = [{ Source: "secrets-governor", DetailType: "t", Detail: "{}" }];
    await client.send(new PutEventsCommand({ Entries: entries }));
    expect(emulator.events).toEqual(entries);
    emulator.setFault(() => INTERNAL);
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: "InternalServiceError",
    });
  });
});
