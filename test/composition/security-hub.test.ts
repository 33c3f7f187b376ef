import { describe, expect, it } from "vitest";
import { freshContainers } from "../helpers/container-env.js";

const container = freshContainers();

/** A fresh runtime (built once per container) with these variables; "" unsets one. */
async function runtimeWith(env: Record<string, string>) {
  container(env);
  const { batchDeps } = await import("../../src/composition/event-runtime.js");
  const { sweepDeps } = await import("../../src/composition/sweep-runtime.js");
  const parse = () => ({}) as never;
  return {
    events: () => batchDeps("rotation-failure", new Date(), parse),
    sweep: () => sweepDeps(new Date()),
  };
}

describe("Security Hub in the Lambda runtime", () => {
  it.each([
    [""],
    ["disabled"],
  ])("is off with GOVERNOR_SECURITY_HUB=%j: no findings imported", async (value) => {
    const runtime = await runtimeWith({
      GOVERNOR_SECURITY_HUB: value,
      GOVERNOR_STATE_TABLE: "governor-state",
    });
    expect(runtime.events().securityHub).toBeUndefined();
    expect(runtime.sweep().securityHub).toBeUndefined();
  });

  it("when enabled, imports through BatchImportFindings and keeps its record in the state table, one per container", async () => {
    const runtime = await runtimeWith({
      GOVERNOR_SECURITY_HUB: "enabled",
      GOVERNOR_STATE_TABLE: "governor-state",
    });
    const events = runtime.events().securityHub;
    expect(events?.sink.constructor.name).toBe("LazySecurityHubFindings");
    expect(events?.reported.constructor.name).toBe("DynamoReportedFindings");
    expect(runtime.sweep().securityHub).toBe(events);
  });

  it("when enabled without a state table, keeps its record in memory", async () => {
    const runtime = await runtimeWith({ GOVERNOR_SECURITY_HUB: "enabled", GOVERNOR_STATE_TABLE: "" });
    expect(runtime.sweep().securityHub?.reported.constructor.name).toBe("MemoryReportedFindings");
  });

  it("refuses a value other than enabled or disabled", async () => {
    const runtime = await runtimeWith({ GOVERNOR_SECURITY_HUB: "yes" });
    expect(() => runtime.sweep()).toThrow(/GOVERNOR_SECURITY_HUB must be enabled or disabled, not 'yes'/);
  });
});
