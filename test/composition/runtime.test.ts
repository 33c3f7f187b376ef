import { describe, expect, it } from "vitest";
import { freshContainers } from "../helpers/container-env.js";

const container = freshContainers();

/** A fresh runtime (it is built once per container) over a compiled policy whose file says `mode: enforce`. */
async function runtimeWith(env: Record<string, string>) {
  container(env, { policy: "mode: enforce\nrules: []\n" });
  if (!("GOVERNOR_MODE" in env)) delete process.env.GOVERNOR_MODE;
  const { getRuntime } = await import("../../src/composition/runtime.js");
  const { batchDeps } = await import("../../src/composition/event-runtime.js");
  return { ...getRuntime(), batchDeps };
}

describe("the Lambda runtime", () => {
  it("takes the stack's Mode (GOVERNOR_MODE) over the policy file's mode", async () => {
    const runtime = await runtimeWith({ GOVERNOR_MODE: "report" });
    expect(runtime.policy.mode).toBe("enforce");
    expect(runtime.mode).toBe("report");
    expect(
      runtime.batchDeps("config-compliance", new Date(), () => ({ ok: false, reason: "x" }) as never).mode,
    ).toBe("report");
  });

  it("takes the policy file's mode when the stack sets none", async () => {
    expect((await runtimeWith({})).mode).toBe("enforce");
  });

  it("names the governor's own role as the principal whose refused calls are its own, and never denies it", async () => {
    const role = "arn:aws:iam::123456789012:role/secrets-governor-dev";
    const deps = (await runtimeWith({ GOVERNOR_ROLE_ARN: role })).batchDeps(
      "access-failure",
      new Date(),
      () => ({ ok: false, reason: "x" }) as never,
    );
    expect(deps.selfPrincipals).toEqual([role]);
    expect(deps.exemptPrincipals).toContain(role);
  });

  it("acts only for the stack's own account and region (GOVERNOR_ACCOUNT_ID, AWS_REGION)", async () => {
    const deps = (
      await runtimeWith({ GOVERNOR_ACCOUNT_ID: "111122223333", AWS_REGION: "eu-west-1" })
    ).batchDeps("access-failure", new Date(), () => ({ ok: false, reason: "x" }) as never);
    expect(deps.stack).toEqual({ account: "111122223333", region: "eu-west-1" });
  });

  it("takes the account of its own role when GOVERNOR_ACCOUNT_ID is not set", async () => {
    const runtime = await runtimeWith({
      GOVERNOR_ACCOUNT_ID: "",
      GOVERNOR_ROLE_ARN: "arn:aws:iam::444455556666:role/secrets-governor-dev",
    });
    expect(runtime.batchDeps("access-failure", new Date(), () => ({}) as never).stack.account).toBe(
      "444455556666",
    );
  });

  it.each([
    ["governor-state", "DynamoAccessFailureCounter"],
    ["", "MemoryAccessFailureCounter"],
  ])("with GOVERNOR_STATE_TABLE=%j counts access failures in a %s, one per container", async (table, kind) => {
    const runtime = await runtimeWith({ GOVERNOR_STATE_TABLE: table });
    const parse = () => ({}) as never;
    const deps = runtime.batchDeps("access-failure", new Date(), parse);
    expect(deps.accessCounter?.constructor.name).toBe(kind);
    expect(runtime.batchDeps("access-failure", new Date(), parse).accessCounter).toBe(deps.accessCounter);
  });

  it("refuses to start when it cannot tell its own account: it would not know which events are its own", async () => {
    await expect(runtimeWith({ GOVERNOR_ACCOUNT_ID: "", GOVERNOR_ROLE_ARN: "" })).rejects.toThrow(
      /GOVERNOR_ACCOUNT_ID .* is not set/,
    );
  });
});
