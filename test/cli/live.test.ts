import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetResourcePolicyCommand,
  PutResourcePolicyCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runGovernor } from "../helpers/cli.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";

/** The CLI against a live account: moto_server on loopback, reached through AWS_ENDPOINT_URL. */
describe("governor --live against moto", () => {
  let moto: Moto;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    moto = await startMoto();
    client = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
  });
  afterAll(async () => {
    client.destroy();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
  });

  const governor = (...args: string[]) => runGovernor(args, { ...MOTO_ENV, AWS_ENDPOINT_URL: moto.endpoint });

  async function create(name: string, tags: Record<string, string> = {}): Promise<string> {
    const created = await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: "not read by the governor",
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    return created.ARN as string;
  }

  async function tagsOf(arn: string): Promise<Record<string, string>> {
    const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    return Object.fromEntries((described.Tags ?? []).map((t) => [t.Key, t.Value]));
  }

  it("sweeps the account: flags, quarantines with a merged policy, falls back when Config is unreadable; restore undoes it", async () => {
    // moto never sets LastAccessedDate, so every secret counts from its CreatedDate (today): a date far ahead
    // makes them all unused.
    const fresh = await create("app/unused");
    const due = await create("app/flagged-long-ago", {
      "governor:stage": "flagged",
      "governor:stage-since": "2027-05-01",
    });
    const exempt = await create("app/exempt", { "governor:exempt": "true" });
    const original = {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ReportingReadsIt",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:role/reporting" },
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
        },
      ],
    };
    await client.send(
      new PutResourcePolicyCommand({ SecretId: due, ResourcePolicy: JSON.stringify(original) }),
    );

    const sweep = await governor(
      "sweep",
      "--live",
      "--mode",
      "enforce",
      "--now",
      "2027-06-01T06:00:00Z",
      "--format",
      "json",
    );
    expect(sweep.stderr).not.toContain("governor:");
    expect(sweep.code).toBe(0);
    const result = JSON.parse(sweep.stdout) as {
      decisions: { name: string; action: string; outcome: string; guard: string | null }[];
      complianceUnavailable: string | null;
    };
    expect(result.complianceUnavailable).toMatch(/Config compliance could not be read/);
    const byName = Object.fromEntries(result.decisions.map((d) => [d.name, d]));
    expect(byName["app/unused"]).toMatchObject({ action: "tag", outcome: "done" });
    expect(byName["app/flagged-long-ago"]).toMatchObject({ action: "quarantine", outcome: "done" });
    expect(byName["app/exempt"]).toMatchObject({ action: "none", guard: "exempt" });

    expect(await tagsOf(fresh)).toMatchObject({ "governor:stage": "flagged" });
    expect(await tagsOf(due)).toMatchObject({ "governor:stage": "quarantined" });
    expect(await tagsOf(exempt)).toEqual({ "governor:exempt": "true" });
    const quarantined = await client.send(new GetResourcePolicyCommand({ SecretId: due }));
    const statements = JSON.parse(quarantined.ResourcePolicy as string).Statement as { Sid: string }[];
    expect(statements.map((s) => s.Sid)).toEqual(["ReportingReadsIt", "SecretsGovernorQuarantine"]);

    const restore = await governor("restore", "app/flagged-long-ago", "--live");
    expect(restore.stdout).toBe("app/flagged-long-ago: undone: release, untag\n");
    const released = await client.send(new GetResourcePolicyCommand({ SecretId: due }));
    expect(JSON.parse(released.ResourcePolicy as string)).toEqual(original);
    expect(await tagsOf(due)).toEqual({});
  });

  it("in report mode changes nothing in the account", async () => {
    const arn = await create("app/unused");
    const sweep = await governor("sweep", "--live", "--now", "2027-06-01T06:00:00Z", "--format", "json");
    expect(sweep.code).toBe(0);
    expect(JSON.parse(sweep.stdout).decisions[0]).toMatchObject({
      name: "app/unused",
      action: "tag",
      outcome: "planned",
    });
    expect(await tagsOf(arn)).toEqual({});
  });

  it("restore of a secret that does not exist is exit 2, naming it", async () => {
    const restore = await governor("restore", "app/nope", "--live");
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain("app/nope");
  });
});
