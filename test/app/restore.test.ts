import { describe, expect, it } from "vitest";
import { restoreSecret } from "../../src/app/restore.js";
import { SecretNotFoundError } from "../../src/errors.js";
import {
  accountOf,
  entry,
  exampleAccount,
  examplePolicyText,
  secretOf,
  writesSince,
} from "../fixtures/app/fakes.js";

const READS_IT = {
  Sid: "ReportingReadsIt",
  Effect: "Allow",
  Principal: { AWS: "arn:aws:iam::123456789012:role/reporting-batch" },
  Action: "secretsmanager:GetSecretValue",
  Resource: "*",
};
const GOVERNOR_DENY = {
  Sid: "SecretsGovernorQuarantine",
  Effect: "Deny",
  Principal: "*",
  Action: "secretsmanager:GetSecretValue",
  Resource: "*",
};

/** A secret the governor quarantined and scheduled for deletion, which someone also exempted since. */
function governedAccount() {
  return accountOf(
    [
      entry("app/governed", {
        LastAccessedDate: "2026-04-01T00:00:00Z",
        DeletedDate: "2026-11-20T00:00:00Z",
        tags: {
          team: "data",
          "governor:stage": "deletion-scheduled",
          "governor:stage-since": "2026-11-20",
          "governor:exempt": "true",
          "governor:note": "legacy",
        },
      }),
    ],
    { "app/governed": { Version: "2012-10-17", Statement: [READS_IT, GOVERNOR_DENY] } },
  );
}

describe("restoreSecret", () => {
  it("cancels the deletion, removes only the governor's statement and its tags, keeping governor:exempt", async () => {
    // Prepare
    const account = governedAccount();

    // Act
    const result = await restoreSecret("app/governed", account, { dryRun: false });

    // Assess
    const secret = await secretOf(account, "app/governed");
    expect(result).toEqual({
      arn: secret.arn,
      name: "app/governed",
      undone: ["cancel-deletion", "release", "untag"],
      planned: [],
    });
    expect(secret.deletedDate).toBeUndefined();
    expect(secret.tags).toEqual({ team: "data", "governor:exempt": "true" });
    expect(JSON.parse((await account.getResourcePolicy(secret.arn)) ?? "{}")).toEqual({
      Version: "2012-10-17",
      Statement: [READS_IT],
    });
    expect(writesSince(account)).toEqual([
      "RestoreSecret app/governed",
      "PutResourcePolicy app/governed",
      "UntagResource app/governed",
    ]);
  });

  it("gives back the example's quarantined secret with the policy it had before", async () => {
    // Prepare
    const account = exampleAccount();
    const original = JSON.parse(examplePolicyText("app/quarantined-20d")) as { Statement: { Sid: string }[] };

    // Act
    const result = await restoreSecret("app/quarantined-20d", account, { dryRun: false });

    // Assess
    expect(result.undone).toEqual(["release", "untag"]);
    expect(JSON.parse((await account.getResourcePolicy(result.arn)) ?? "{}")).toEqual({
      ...original,
      Statement: original.Statement.filter((s) => s.Sid === "ReportingReadsIt"),
    });
  });

  it("deletes the resource policy when the governor's statement was all there was", async () => {
    // Prepare
    const account = accountOf(
      [
        entry("app/only-deny", {
          tags: { "governor:stage": "quarantined", "governor:stage-since": "2026-11-01" },
        }),
      ],
      { "app/only-deny": { Version: "2012-10-17", Statement: [GOVERNOR_DENY] } },
    );

    // Act
    const result = await restoreSecret("app/only-deny", account, { dryRun: false });

    // Assess
    expect(result.undone).toEqual(["release", "untag"]);
    expect(await account.getResourcePolicy(result.arn)).toBeUndefined();
  });

  it("in a dry run says what it would undo and changes nothing", async () => {
    // Prepare
    const account = governedAccount();
    const snapshot = account.snapshot();

    // Act
    const result = await restoreSecret("app/governed", account, { dryRun: true });

    // Assess
    expect(result.planned).toEqual(["cancel-deletion", "release", "untag"]);
    expect(result.undone).toEqual([]);
    expect(writesSince(account)).toEqual([]);
    expect(account.snapshot()).toEqual(snapshot);
  });

  it("in a dry run leaves out the release of a secret that is not quarantined", async () => {
    // Prepare
    const account = exampleAccount();

    // Act
    const result = await restoreSecret("app/flagged-20d", account, { dryRun: true });

    // Assess
    expect(result.planned).toEqual(["untag"]);
  });

  it("is a no-op the second time", async () => {
    // Prepare
    const account = governedAccount();
    await restoreSecret("app/governed", account, { dryRun: false });
    const snapshot = account.snapshot();
    const from = account.calls.length;

    // Act
    const again = await restoreSecret("app/governed", account, { dryRun: false });
    const planned = await restoreSecret("app/governed", account, { dryRun: true });

    // Assess
    expect(again.undone).toEqual([]);
    expect(planned.planned).toEqual([]);
    expect(writesSince(account, from)).toEqual([]);
    expect(account.snapshot()).toEqual(snapshot);
  });

  it("keeps the tags it is told to keep, and governor:exempt always", async () => {
    // Prepare
    const account = governedAccount();

    // Act
    await restoreSecret("app/governed", account, { dryRun: false, keepTags: ["governor:note"] });

    // Assess
    expect((await secretOf(account, "app/governed")).tags).toEqual({
      team: "data",
      "governor:exempt": "true",
      "governor:note": "legacy",
    });
  });

  it.each([true, false])("throws SecretNotFoundError for an unknown secret (dry run %s)", async (dryRun) => {
    // Prepare
    const account = exampleAccount();

    // Act
    const restoring = restoreSecret("app/nope", account, { dryRun });

    // Assess
    await expect(restoring).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(restoring).rejects.toThrow("secret app/nope was not found");
  });
});
