import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WORKFLOW_NOT_RESOLVED } from "../../src/adapters/security-hub.js";
import { LazySecurityHubFindings } from "../../src/composition/security-hub.js";
import { toAsffFinding } from "../../src/domain/asff.js";
import { arnOf, NOW } from "../fixtures/app/fakes.js";

const hub = mockClient(SecurityHubClient);
afterEach(() => hub.reset());

const finding = (state: "failed" | "passed") =>
  toAsffFinding({
    kind: "unused",
    state,
    secretArn: arnOf("app/lazy"),
    severity: "LOW",
    title: "Unused secret flagged: app/lazy",
    description: "not read for 100 days",
    createdAt: NOW,
    now: NOW,
    remediation: "governor restore",
  });

describe("LazySecurityHubFindings", () => {
  it("loads the Security Hub adapter on its first import and sends through it, every time", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedFindings: [] });
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const sink = new LazySecurityHubFindings({ region: "us-east-1" }, log);

    expect(await sink.import([finding("failed")])).toEqual({ imported: 1, failed: [] });
    expect(await sink.import([finding("failed")])).toEqual({ imported: 1, failed: [] });

    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(2);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it("logs a resolution whose workflow Security Hub would not update, and still counts it imported", async () => {
    hub.on(BatchImportFindingsCommand).resolves({ FailedFindings: [] });
    hub
      .on(BatchUpdateFindingsCommand)
      .rejects(Object.assign(new Error("not allowed"), { name: "AccessDeniedException" }));
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const sink = new LazySecurityHubFindings({ region: "us-east-1" }, log);

    expect(await sink.import([finding("passed")])).toEqual({ imported: 1, failed: [] });

    expect(log.warn).toHaveBeenCalledWith(WORKFLOW_NOT_RESOLVED, {
      workflowNotResolved: 1,
      findings: [{ id: finding("passed").Id, code: "AccessDeniedException", message: "not allowed" }],
    });
  });
});
