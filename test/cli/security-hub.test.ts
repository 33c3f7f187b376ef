import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecurityHubClient } from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AsffFinding, AsffFindingSchema, findingId } from "../../src/domain/asff.js";
import { runCli, runGovernor } from "../helpers/cli.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { createStateTable, motoDynamoClient } from "../helpers/moto-dynamodb.js";
import { motoFindings, motoSecurityHubClient } from "../helpers/moto-securityhub.js";

describe("governor plan --format asff", () => {
  it("prints the findings a sweep would import, each a valid ASFF finding, as batch-import-findings takes them", async () => {
    const { code, stdout } = await runCli(
      "plan",
      "--inventory",
      "examples/inventory.json",
      "--now",
      "2026-11-23T00:00:00Z",
      "--format",
      "asff",
    );

    expect(code).toBe(0);
    const { Findings } = JSON.parse(stdout) as { Findings: AsffFinding[] };
    expect(Findings.length).toBeGreaterThan(5);
    for (const f of Findings) expect(AsffFindingSchema.safeParse(f).success, f.Id).toBe(true);
    expect(new Set(Findings.map((f) => f.Id)).size).toBe(Findings.length);
    const stale = Findings.find(
      (f) => f.Title === "Unused secret (report mode: would be flagged): app/stale",
    );
    expect(stale).toMatchObject({ Compliance: { Status: "FAILED" }, Severity: { Label: "LOW" } });
  });

  it("refuses --security-hub without --live, on sweep and restore", async () => {
    const sweep = await runCli("sweep", "--account", "examples/account.json", "--security-hub");
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toContain("--security-hub imports into the live account's Security Hub");
    const restore = await runCli(
      "restore",
      "app/stale",
      "--account",
      "examples/account.json",
      "--security-hub",
    );
    expect(restore.code).toBe(2);
  });
});

/** The CLI against a live account: moto_server on loopback, reached through AWS_ENDPOINT_URL. */
describe("governor sweep and restore --live --security-hub against moto", () => {
  let moto: Moto;
  let secrets: SecretsManagerClient;
  let hub: SecurityHubClient;
  let table: string;

  beforeAll(async () => {
    moto = await startMoto();
    secrets = new SecretsManagerClient({
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    hub = motoSecurityHubClient(moto.endpoint);
    table = await createStateTable(motoDynamoClient(moto.endpoint), "governor-state-cli");
  }, 60_000);
  afterAll(async () => {
    secrets.destroy();
    await moto.stop();
  });

  const governor = (...args: string[]) =>
    runGovernor(args, { ...MOTO_ENV, AWS_ENDPOINT_URL: moto.endpoint, GOVERNOR_STATE_TABLE: table });

  it("imports the sweep's findings, and a restore resolves its secret's", async () => {
    // moto never sets LastAccessedDate: a date far ahead makes every secret unused.
    const created = await secrets.send(new CreateSecretCommand({ Name: "app/unused", SecretString: "x" }));
    const id = findingId("unused", created.ARN as string);

    const sweep = await governor(
      "sweep",
      "--live",
      "--mode",
      "enforce",
      "--now",
      "2027-06-01T00:00:00Z",
      "--security-hub",
    );
    expect(sweep.stderr).toContain("security hub: 1 finding imported");
    expect(sweep.code).toBe(0);
    const opened = (await motoFindings(hub)).find((f) => f.Id === id);
    expect(opened).toMatchObject({ Compliance: { Status: "FAILED" }, Workflow: { Status: "NEW" } });

    const restore = await governor("restore", "app/unused", "--live", "--security-hub");
    expect(restore.code).toBe(0);
    const resolved = (await motoFindings(hub)).find((f) => f.Id === id);
    expect(resolved).toMatchObject({ Compliance: { Status: "PASSED" }, Workflow: { Status: "RESOLVED" } });
    expect(resolved?.CreatedAt).toBe(opened?.CreatedAt);
  }, 90_000);
});
