import { describe, expect, it } from "vitest";
import { freshContainers } from "../helpers/container-env.js";

const container = freshContainers();

/** The sweep's org reporting as a fresh container would wire it from this environment. */
async function orgDepsWith(env: Record<string, string>) {
  container(env, { region: "eu-west-1", accountId: "111122223333" });
  const { orgReportDeps } = await import("../../src/composition/sweep-runtime.js");
  return orgReportDeps();
}

describe("the sweep's org reporting (GOVERNOR_ORG_BUS_ARN)", () => {
  it("is off without an org bus", async () => {
    expect(
      await orgDepsWith({ GOVERNOR_ORG_BUS_ARN: "", GOVERNOR_SWEEP_SCHEDULE: "rate(1 hour)" }),
    ).toBeUndefined();
  });

  it("reports for the stack's own account and region, at the interval of its schedule", async () => {
    const deps = await orgDepsWith({
      GOVERNOR_ORG_BUS_ARN: "arn:aws:events:eu-west-1:999988887777:event-bus/org",
      GOVERNOR_SWEEP_SCHEDULE: "cron(0 6,18 * * ? *)",
    });
    expect(deps).toMatchObject({ accountId: "111122223333", region: "eu-west-1", sweepIntervalMinutes: 720 });
    expect(deps?.reporter.constructor.name).toBe("EventBridgeOrgReporter");
  });

  it("says daily when the schedule cannot be read, rather than not sweeping", async () => {
    const deps = await orgDepsWith({
      GOVERNOR_ORG_BUS_ARN: "arn:aws:events:eu-west-1:999988887777:event-bus/org",
      GOVERNOR_SWEEP_SCHEDULE: "every morning",
    });
    expect(deps?.sweepIntervalMinutes).toBe(1440);
  });
});
