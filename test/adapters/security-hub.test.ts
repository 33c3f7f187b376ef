import {
  BatchImportFindingsCommand,
  type BatchImportFindingsCommandInput,
  BatchUpdateFindingsCommand,
  type BatchUpdateFindingsCommandInput,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { batchesOf, SecurityHubFindings } from "../../src/adapters/security-hub.js";
import { type AsffFinding, toAsffFinding } from "../../src/domain/asff.js";
import { arnOf, NOW } from "../fixtures/app/fakes.js";

const hub = mockClient(SecurityHubClient);

function finding(i: number, state: "failed" | "passed" | "archived" = "failed"): AsffFinding {
  return toAsffFinding({
    kind: "unused",
    state,
    secretArn: arnOf(`app/s-${i}`),
    severity: "LOW",
    title: `Unused secret flagged: app/s-${i}`,
    description: "not read for 100 days",
    createdAt: NOW,
    now: NOW,
    remediation: "governor restore",
  });
}

const many = (n: number) => Array.from({ length: n }, (_, i) => finding(i));

function throttled(name = "ThrottlingException"): Error {
  return Object.assign(new Error("Rate exceeded"), { name, $metadata: { httpStatusCode: 429 } });
}

/** An adapter that records its pauses instead of sleeping, on a clock that only its pauses move. */
function adapter(options: { maxAttempts?: number } = {}) {
  const sleeps: number[] = [];
  const notResolved: { id: string; code: string; message: string }[][] = [];
  let clock = 0;
  const sink = new SecurityHubFindings(new SecurityHubClient({ region: "us-east-1" }), {
    ...options,
    random: () => 1,
    clock: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    onWorkflowNotResolved: (failed) => notResolved.push(failed),
  });
  return { sink, sleeps, notResolved };
}

const workflowIds = () =>
  hub
    .commandCalls(BatchUpdateFindingsCommand)
    .map((c) =>
      ((c.args[0].input as BatchUpdateFindingsCommandInput).FindingIdentifiers ?? []).map((f) => f.Id),
    );

const sentIds = () =>
  hub
    .commandCalls(BatchImportFindingsCommand)
    .map((c) => ((c.args[0].input as BatchImportFindingsCommandInput).Findings ?? []).map((f) => f.Id));

beforeEach(() => hub.reset());

describe("SecurityHubFindings", () => {
  it("imports in requests of at most 100 findings, spaced to half of the 10 requests a second", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ SuccessCount: 0, FailedCount: 0, FailedFindings: [] });
    const { sink, sleeps } = adapter();

    const result = await sink.import(many(250));

    expect(result).toEqual({ imported: 250, failed: [] });
    expect(sentIds().map((ids) => ids.length)).toEqual([100, 100, 50]);
    // 5 requests a second: 200 ms between two.
    expect(sleeps).toEqual([200, 200]);
  });

  it("retries a throttled request with backoff until it goes through, losing nothing", async () => {
    hub
      .on(BatchImportFindingsCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled("LimitExceededException"))
      .resolves({ SuccessCount: 3, FailedCount: 0, FailedFindings: [] });
    const { sink, sleeps } = adapter();

    const result = await sink.import(many(3));

    expect(result).toEqual({ imported: 3, failed: [] });
    expect(sentIds()).toHaveLength(3);
    // Full jitter (random = 1 here): 200 ms then 400 ms, each also spacing the next request.
    expect(sleeps).toEqual([200, 400]);
  });

  it("retries only the findings Security Hub refused in FailedFindings, until they are taken", async () => {
    const all = many(4);
    hub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({
        SuccessCount: 2,
        FailedCount: 2,
        FailedFindings: [
          { Id: all[1]?.Id, ErrorCode: "InternalException", ErrorMessage: "try again" },
          { Id: all[3]?.Id, ErrorCode: "InternalException", ErrorMessage: "try again" },
        ],
      })
      .resolves({ SuccessCount: 2, FailedCount: 0, FailedFindings: [] });
    const { sink } = adapter();

    const result = await sink.import(all);

    expect(result).toEqual({ imported: 4, failed: [] });
    expect(sentIds()).toEqual([all.map((f) => f.Id), [all[1]?.Id, all[3]?.Id]]);
  });

  it("reports, with their last error, the findings that keep failing: counted, never dropped silently", async () => {
    const all = many(3);
    hub.on(BatchImportFindingsCommand).resolves({
      SuccessCount: 2,
      FailedCount: 1,
      FailedFindings: [{ Id: all[2]?.Id, ErrorCode: "InvalidInput", ErrorMessage: "bad field" }],
    });
    const { sink } = adapter({ maxAttempts: 3 });

    const result = await sink.import(all);

    expect(result).toEqual({
      imported: 2,
      failed: [{ id: all[2]?.Id, code: "InvalidInput", message: "bad field" }],
    });
    expect(sentIds()).toHaveLength(3);
  });

  it("gives up at once on a request refused for access, reporting every finding of it", async () => {
    hub.on(BatchImportFindingsCommand).rejects(
      Object.assign(new Error("Security Hub is not enabled"), {
        name: "InvalidAccessException",
        $metadata: { httpStatusCode: 401 },
      }),
    );
    const { sink } = adapter();

    const result = await sink.import(many(2));

    expect(result.imported).toBe(0);
    expect(result.failed.map((f) => f.code)).toEqual(["InvalidAccessException", "InvalidAccessException"]);
    expect(sentIds()).toHaveLength(1);
  });

  it("keeps throttled findings when every attempt is throttled, and says so", async () => {
    hub.on(BatchImportFindingsCommand).rejects(throttled());
    const { sink } = adapter({ maxAttempts: 4 });

    const result = await sink.import(many(150));

    expect(result.imported).toBe(0);
    expect(result.failed).toHaveLength(150);
    expect(new Set(result.failed.map((f) => f.code))).toEqual(new Set(["ThrottlingException"]));
    expect(sentIds()).toHaveLength(8);
  });
});

describe("batchesOf", () => {
  it("refuses a finding over 240 KB rather than sending it", () => {
    const huge = { ...finding(1), ProductFields: { big: "x".repeat(250 * 1024) } };
    const { batches, refused } = batchesOf([finding(0), huge]);
    expect(batches.map((b) => b.length)).toEqual([1]);
    expect(refused).toEqual([
      { finding: huge, code: "FindingTooLarge", message: "the finding is over 240 KB" },
    ]);
  });

  it("refuses a finding Security Hub would refuse (no resource, a title too long), and the adapter reports it", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ SuccessCount: 1, FailedCount: 0, FailedFindings: [] });
    const noResource = { ...finding(1), Resources: [] };
    const longTitle = { ...finding(2), Title: "t".repeat(300) };
    const { sink } = adapter();

    const result = await sink.import([finding(0), noResource, longTitle]);

    expect(result.imported).toBe(1);
    expect(result.failed.map((f) => [f.id, f.code])).toEqual([
      [noResource.Id, "InvalidAsff"],
      [longTitle.Id, "InvalidAsff"],
    ]);
    expect(result.failed[0]?.message).toMatch(/^Resources:/);
    expect(sentIds()).toEqual([[finding(0).Id]]);
  });

  it("sets Workflow RESOLVED with BatchUpdateFindings on the resolved and archived findings it imported, 100 a request", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedFindings: [] });
    hub.on(BatchUpdateFindingsCommand).resolves({ ProcessedFindings: [], UnprocessedFindings: [] });
    const { sink, notResolved } = adapter();
    const open = many(3);
    const resolved = Array.from({ length: 150 }, (_, i) => finding(100 + i, i % 2 ? "archived" : "passed"));

    const result = await sink.import([...open, ...resolved]);

    expect(result).toEqual({ imported: 153, failed: [] });
    expect(workflowIds()).toEqual([
      resolved.slice(0, 100).map((f) => f.Id),
      resolved.slice(100).map((f) => f.Id),
    ]);
    const input = hub.commandCalls(BatchUpdateFindingsCommand)[0]?.args[0]
      .input as BatchUpdateFindingsCommandInput;
    expect(input.Workflow).toEqual({ Status: "RESOLVED" });
    expect(input.FindingIdentifiers?.[0]?.ProductArn).toBe(resolved[0]?.ProductArn);
    expect(notResolved).toEqual([]);
  });

  it("does not touch the Workflow of a resolution the import refused", async () => {
    const passed = finding(1, "passed");
    hub.on(BatchImportFindingsCommand).resolves({
      FailedFindings: [{ Id: passed.Id, ErrorCode: "InvalidInput", ErrorMessage: "no" }],
    });
    const { sink } = adapter({ maxAttempts: 1 });

    const result = await sink.import([passed]);

    expect(result.failed.map((f) => f.id)).toEqual([passed.Id]);
    expect(workflowIds()).toEqual([]);
  });

  it("retries throttled and unprocessed workflow updates, then tells of the rest without failing the import", async () => {
    const [a, b] = [finding(1, "passed"), finding(2, "passed")];
    hub.on(BatchImportFindingsCommand).resolves({ FailedFindings: [] });
    hub
      .on(BatchUpdateFindingsCommand)
      .rejectsOnce(throttled())
      .resolves({
        UnprocessedFindings: [
          {
            FindingIdentifier: { Id: b.Id, ProductArn: b.ProductArn },
            ErrorCode: "FindingNotFound",
            ErrorMessage: "x",
          },
        ],
      });
    const { sink, notResolved } = adapter({ maxAttempts: 3 });

    const result = await sink.import([a, b]);

    expect(result).toEqual({ imported: 2, failed: [] });
    // Throttled, then b unprocessed twice: three attempts in all.
    expect(workflowIds()).toEqual([[a.Id, b.Id], [a.Id, b.Id], [b.Id]]);
    expect(notResolved).toEqual([[{ id: b.Id, code: "FindingNotFound", message: "x" }]]);
  });
});
