import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runGovernor } from "../helpers/cli.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";

/** `governor report --live` and `sweep --live --html` against moto_server: the sweep's plan, read-only. */
describe("governor report --live against moto", () => {
  let moto: Moto;
  let client: SecretsManagerClient;
  const dir = mkdtempSync(join(tmpdir(), "governor-report-live-"));

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
    rmSync(dir, { recursive: true, force: true });
  });

  const governor = (...args: string[]) => runGovernor(args, { ...MOTO_ENV, AWS_ENDPOINT_URL: moto.endpoint });

  async function create(name: string, tags: Record<string, string>): Promise<string> {
    const created = await client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: "not read by the governor",
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    return created.ARN as string;
  }

  const tagsOf = async (arn: string) =>
    Object.fromEntries(
      ((await client.send(new DescribeSecretCommand({ SecretId: arn }))).Tags ?? []).map((t) => [
        t.Key,
        t.Value,
      ]),
    );

  it("plans the live account as the sweep does and changes nothing, even asked for enforce", async () => {
    // Names may hold + = @ - in AWS: exactly the characters a spreadsheet takes for a formula.
    const fresh = await create("=cmd/C-calc@A0", { team: "+payments" });
    const due = await create("app/flagged-long-ago", {
      team: "data",
      "governor:stage": "flagged",
      "governor:stage-since": "2027-05-01",
    });
    const before = [await tagsOf(fresh), await tagsOf(due)];
    const html = join(dir, "live.html");
    const argv = ["report", "--live", "--mode", "enforce", "--now", "2027-06-01T06:00:00Z", "--html", html];
    const run = await governor(...argv, "--format", "csv");
    expect(run.code, run.stderr).toBe(0);
    expect([await tagsOf(fresh), await tagsOf(due)]).toEqual(before);

    const rows = parse(run.stdout, { columns: true }) as Record<string, string>[];
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    expect(byName["app/flagged-long-ago"]).toMatchObject({ action: "quarantine", team: "data" });
    expect(byName["'=cmd/C-calc@A0"]).toMatchObject({ action: "tag", team: "'+payments", unused: "true" });
    expect(run.stderr).toMatch(/report: wrote .*live\.html: 2 secrets, 2 unused \(\$0\.80\/month\)/);
    const page = readFileSync(html, "utf8");
    expect(page).toContain("plan of the live account");
    expect(page).toContain('<div class="label">Unused cost</div><div class="value">$0.80</div>');

    const json = JSON.parse((await governor(...argv, "--format", "json")).stdout);
    expect(json.mode).toBe("enforce");
    expect(json.summary.unusedMonthlyCostUsd).toBe(0.8);
  });

  it("sweep --live --html: the report of what the sweep did", async () => {
    const html = join(dir, "sweep.html");
    const run = await governor("sweep", "--live", "--now", "2027-06-01T06:00:00Z", "--html", html);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(html, "utf8")).toContain("sweep of the live account");
  });
});
