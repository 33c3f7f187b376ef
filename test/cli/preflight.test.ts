import {
  CloudTrailClient,
  CreateTrailCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  ConfigServiceClient,
  PutConfigurationRecorderCommand,
  PutDeliveryChannelCommand,
  type RecordingGroup,
  StartConfigurationRecorderCommand,
} from "@aws-sdk/client-config-service";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type {
  AdvancedSelector,
  BasicEventSelector,
  PrerequisiteFacts,
  PrerequisitesReader,
  RecorderFacts,
  TrailFacts,
} from "../../src/adapters/prerequisites.js";
import { terminal } from "../../src/cli/io.js";
import {
  checkPrerequisites,
  managementCoverage,
  renderCheck,
  runPreflight,
} from "../../src/cli/preflight.js";
import { runCli } from "../helpers/cli.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";
import { expectTerminalSafe, HOSTILE, HOSTILE_SHOWN } from "./hostile.js";

const SECRET = "AWS::SecretsManager::Secret";
const ROLE = "arn:aws:iam::123456789012:role/config-recorder";
const BUCKET = "governor-logs";
const CHECKS = [
  "Config recorder",
  "Config recording",
  `Config records ${SECRET}`,
  "CloudTrail trail",
  "CloudTrail management events",
];

/** The check lines of `governor preflight`, by name: "ok" or "missing", and the rest of the line. */
function linesByCheck(stdout: string): Record<string, { status: string; text: string }> {
  const result: Record<string, { status: string; text: string }> = {};
  for (const line of stdout.trimEnd().split("\n").slice(1)) {
    const match = /^(ok|missing) +(.*?): (.*)$/.exec(line);
    if (!match) throw new Error(`not a check line: ${line}`);
    result[match[2] as string] = { status: match[1] as string, text: match[3] as string };
  }
  return result;
}

describe("governor preflight against moto", () => {
  let moto: Moto;
  let config: ConfigServiceClient;
  let cloudtrail: CloudTrailClient;

  beforeAll(async () => {
    moto = await startMoto();
    const options = {
      endpoint: moto.endpoint,
      region: MOTO_ENV.AWS_REGION,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    };
    config = new ConfigServiceClient(options);
    cloudtrail = new CloudTrailClient(options);
  }, 60_000);
  afterAll(async () => {
    config.destroy();
    cloudtrail.destroy();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    for (const [key, value] of Object.entries({ ...MOTO_ENV, AWS_ENDPOINT_URL: moto.endpoint }))
      vi.stubEnv(key, value);
    vi.stubEnv("AWS_PROFILE", undefined);
    // moto's S3 takes an unsigned path-style PUT as CreateBucket: the delivery channel and trail need a bucket.
    const created = await fetch(`${moto.endpoint}/${BUCKET}`, { method: "PUT" });
    expect(created.ok).toBe(true);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  async function recorder(group: RecordingGroup, options: { start?: boolean } = {}): Promise<void> {
    await config.send(
      new PutConfigurationRecorderCommand({
        ConfigurationRecorder: { name: "default", roleARN: ROLE, recordingGroup: group },
      }),
    );
    await config.send(
      new PutDeliveryChannelCommand({ DeliveryChannel: { name: "default", s3BucketName: BUCKET } }),
    );
    if (options.start !== false)
      await config.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: "default" }));
  }

  async function trail(
    options: { logging?: boolean; selectors?: BasicEventSelector[]; advanced?: AdvancedSelector[] } = {},
  ): Promise<void> {
    await cloudtrail.send(
      new CreateTrailCommand({ Name: "management", S3BucketName: BUCKET, IsMultiRegionTrail: true }),
    );
    if (options.selectors)
      await cloudtrail.send(
        new PutEventSelectorsCommand({
          TrailName: "management",
          EventSelectors: options.selectors.map((s) => ({ ...s, ReadWriteType: s.ReadWriteType as "All" })),
        }),
      );
    if (options.advanced)
      await cloudtrail.send(
        new PutEventSelectorsCommand({ TrailName: "management", AdvancedEventSelectors: options.advanced }),
      );
    if (options.logging !== false) await cloudtrail.send(new StartLoggingCommand({ Name: "management" }));
  }

  it("passes every check in a prepared account: exit 0, one line per check", async () => {
    // Prepare
    await recorder({ allSupported: true, includeGlobalResourceTypes: false });
    await trail();

    // Act
    const { code, stdout, stderr } = await runCli("preflight");

    // Assess
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toBe(`Prerequisites in us-east-1 (at ${moto.endpoint}):`);
    const lines = linesByCheck(stdout);
    expect(Object.keys(lines)).toEqual(CHECKS);
    for (const name of CHECKS) expect(lines[name]?.status, name).toBe("ok");
    expect(lines["Config recorder"]?.text).toBe("default in us-east-1");
    expect(lines["CloudTrail trail"]?.text).toBe("management (multi-region) logging in us-east-1");
    expect(lines["CloudTrail management events"]?.text).toBe(
      "management logs read and write management events",
    );
  });

  it("accepts a recorder that records secrets by inclusion", async () => {
    // Prepare
    await recorder({ allSupported: false, resourceTypes: ["AWS::S3::Bucket", SECRET] });
    await trail();

    // Act
    const { code, stdout } = await runCli("preflight", "--region", "us-east-1");

    // Assess
    expect(code).toBe(0);
    expect(linesByCheck(stdout)[`Config records ${SECRET}`]?.text).toBe(
      `default records ${SECRET} among 2 resource types`,
    );
  });

  it.each([
    {
      label: "no Config recorder",
      prepare: async () => trail(),
      missing: ["Config recorder", "Config recording", `Config records ${SECRET}`],
      expect: {
        check: "Config recorder",
        text: "no configuration recorder in us-east-1",
        fix: "put-delivery-channel",
      },
    },
    {
      label: "a recorder that is not started",
      prepare: async () => {
        await recorder({ allSupported: true }, { start: false });
        await trail();
      },
      missing: ["Config recording"],
      expect: {
        check: "Config recording",
        text: "default is not recording",
        fix: "aws configservice start-configuration-recorder --configuration-recorder-name default",
      },
    },
    {
      label: "a recorder of other resource types only",
      prepare: async () => {
        await recorder({ allSupported: false, resourceTypes: ["AWS::S3::Bucket"] });
        await trail();
      },
      missing: [`Config records ${SECRET}`],
      expect: {
        check: `Config records ${SECRET}`,
        text: "default records only AWS::S3::Bucket",
        fix: `,${SECRET}`,
      },
    },
    {
      label: "a recorder that excludes secrets",
      prepare: async () => {
        await recorder({
          allSupported: false,
          exclusionByResourceTypes: { resourceTypes: [SECRET] },
          recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
        });
        await trail();
      },
      missing: [`Config records ${SECRET}`],
      expect: {
        check: `Config records ${SECRET}`,
        text: `default excludes ${SECRET}`,
        fix: "exclusionByResourceTypes",
      },
    },
    {
      label: "no trail",
      prepare: async () => recorder({ allSupported: true }),
      missing: ["CloudTrail trail", "CloudTrail management events"],
      expect: {
        check: "CloudTrail trail",
        text: "no trail logs us-east-1",
        fix: "aws cloudtrail create-trail",
      },
    },
    {
      label: "a trail that is not logging",
      prepare: async () => {
        await recorder({ allSupported: true });
        await trail({ logging: false });
      },
      missing: ["CloudTrail trail", "CloudTrail management events"],
      expect: {
        check: "CloudTrail trail",
        text: "management (multi-region) is not logging",
        fix: "start-logging",
      },
    },
    {
      label: "a trail logging write-only management events",
      prepare: async () => {
        await recorder({ allSupported: true });
        await trail({ selectors: [{ ReadWriteType: "WriteOnly", IncludeManagementEvents: true }] });
      },
      missing: ["CloudTrail management events"],
      expect: {
        check: "CloudTrail management events",
        text: "no logging trail logs read-only management events",
        fix: "put-event-selectors --trail-name management",
      },
    },
    {
      label: "a trail logging data events only",
      prepare: async () => {
        await recorder({ allSupported: true });
        await trail({ selectors: [{ ReadWriteType: "All", IncludeManagementEvents: false }] });
      },
      missing: ["CloudTrail management events"],
      expect: {
        check: "CloudTrail management events",
        text: "or write management events",
        fix: '"ReadWriteType":"All"',
      },
    },
    {
      label: "a trail whose advanced selectors keep only write events",
      prepare: async () => {
        await recorder({ allSupported: true });
        await trail({
          advanced: [
            {
              Name: "writes",
              FieldSelectors: [
                { Field: "eventCategory", Equals: ["Management"] },
                { Field: "readOnly", Equals: ["false"] },
              ],
            },
          ],
        });
      },
      missing: ["CloudTrail management events"],
      expect: {
        check: "CloudTrail management events",
        text: "read-only management events",
        fix: "put-event-selectors",
      },
    },
  ])("reports $label as missing, with how to fix it: exit 1", async (testCase) => {
    // Prepare
    await testCase.prepare();

    // Act
    const { code, stdout, stderr } = await runCli("preflight");

    // Assess
    expect(stderr).toBe("");
    expect(code).toBe(1);
    const lines = linesByCheck(stdout);
    expect(Object.keys(lines)).toEqual(CHECKS);
    expect(CHECKS.filter((name) => lines[name]?.status === "missing")).toEqual(testCase.missing);
    const line = lines[testCase.expect.check]?.text ?? "";
    expect(line).toContain(testCase.expect.text);
    expect(line.slice(line.indexOf(". Fix: "))).toContain(testCase.expect.fix);
  });

  it.each([
    ["an unknown option", ["--regoin", "us-east-1"], "unknown option '--regoin' (did you mean '--region'?)"],
    ["a positional argument", ["us-east-1"], "unexpected argument 'us-east-1'"],
  ])("rejects %s: exit 2", async (_label, args, message) => {
    // Act
    const { code, stdout, stderr } = await runCli("preflight", ...args);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(message);
  });

  it("needs a region: exit 2 without one", async () => {
    // Prepare
    vi.stubEnv("AWS_REGION", undefined);
    vi.stubEnv("AWS_DEFAULT_REGION", undefined);
    vi.stubEnv("AWS_CONFIG_FILE", "/dev/null");
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
    // The SDK also asks EC2 instance metadata for a region: not on a CI machine that runs on EC2.
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");

    // Act
    const { code, stdout, stderr } = await runCli("preflight");

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("governor preflight: no AWS region: pass --region");
  });
});

/** The judging alone, for what moto cannot show: recording modes, service-linked recorders, failed reads. */
describe("checkPrerequisites", () => {
  const recorder = (overrides: Partial<RecorderFacts> = {}): RecorderFacts => ({
    name: "default",
    recordingGroup: { allSupported: true, resourceTypes: [], excludedResourceTypes: [] },
    status: { recording: true, lastStatus: "Success" },
    ...overrides,
  });
  const trail = (overrides: Partial<TrailFacts> = {}): TrailFacts => ({
    name: "org",
    arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/org",
    homeRegion: "us-east-1",
    multiRegion: true,
    organization: true,
    logging: { value: true },
    selectors: { value: { basic: [], advanced: [], custom: false } },
    ...overrides,
  });
  const facts = (overrides: Partial<PrerequisiteFacts> = {}): PrerequisiteFacts => ({
    region: "eu-west-1",
    recorders: { value: [recorder()] },
    trails: { value: [trail()] },
    ...overrides,
  });
  const byName = (f: PrerequisiteFacts) => Object.fromEntries(checkPrerequisites(f).map((c) => [c.name, c]));

  it("passes an organization trail with CloudTrail's default selectors", () => {
    // Act
    const checks = checkPrerequisites(facts());

    // Assess
    expect(checks.map((c) => [c.name, c.ok])).toEqual(CHECKS.map((name) => [name, true]));
    expect(checks.map(renderCheck)[3]).toBe(
      "ok       CloudTrail trail: org (organization, multi-region) logging in eu-west-1",
    );
  });

  it.each([
    [
      "a DAILY default frequency",
      { frequency: "DAILY", overrides: [] },
      "; daily recording delays the change-triggered rules by up to a day",
    ],
    [
      "a CONTINUOUS default with a DAILY override for secrets",
      { frequency: "CONTINUOUS", overrides: [{ resourceTypes: [SECRET], frequency: "DAILY" }] },
      "; daily recording delays the change-triggered rules by up to a day",
    ],
    [
      "a DAILY default with a CONTINUOUS override for secrets",
      { frequency: "DAILY", overrides: [{ resourceTypes: [SECRET], frequency: "CONTINUOUS" }] },
      "",
    ],
  ])("notes %s (recordingMode) and still passes", (_label, recordingMode, note) => {
    // Act
    const check = byName(facts({ recorders: { value: [recorder({ recordingMode })] } }))[
      `Config records ${SECRET}`
    ];

    // Assess
    expect(check?.ok).toBe(true);
    expect(check?.detail).toBe(`default records every supported resource type${note}`);
  });

  it.each([
    ["no recording group (Config's default)", { recordingGroup: undefined }, true],
    [
      "the ALL_SUPPORTED_RESOURCE_TYPES strategy",
      {
        recordingGroup: {
          resourceTypes: [],
          excludedResourceTypes: [],
          strategy: "ALL_SUPPORTED_RESOURCE_TYPES",
        },
      },
      true,
    ],
    [
      "an exclusion of other types",
      {
        recordingGroup: {
          allSupported: false,
          resourceTypes: [],
          excludedResourceTypes: ["AWS::EC2::Instance"],
          strategy: "EXCLUSION_BY_RESOURCE_TYPES",
        },
      },
      true,
    ],
    [
      "an inclusion without secrets",
      {
        recordingGroup: {
          allSupported: false,
          resourceTypes: ["AWS::S3::Bucket"],
          excludedResourceTypes: [],
          strategy: "INCLUSION_BY_RESOURCE_TYPES",
        },
      },
      false,
    ],
    [
      "an empty inclusion",
      { recordingGroup: { allSupported: false, resourceTypes: [], excludedResourceTypes: [] } },
      false,
    ],
  ])("judges a recorder with %s", (_label, overrides: Partial<RecorderFacts>, ok) => {
    // Act
    const check = byName(facts({ recorders: { value: [recorder(overrides)] } }))[`Config records ${SECRET}`];

    // Assess
    expect(check?.ok).toBe(ok);
  });

  it("does not count a service-linked recorder", () => {
    // Prepare
    const linked = recorder({ name: "AWSConfigurationRecorderForX", servicePrincipal: "x.amazonaws.com" });

    // Act
    const checks = byName(facts({ recorders: { value: [linked] } }));

    // Assess
    expect(checks["Config recorder"]?.ok).toBe(false);
    expect(checks["Config recorder"]?.detail).toContain(
      "only service-linked ones: AWSConfigurationRecorderForX (for x.amazonaws.com)",
    );
  });

  it("reports a recorder whose last recording failed", () => {
    // Prepare
    const failing = recorder({
      status: { recording: true, lastStatus: "Failure", lastErrorCode: "AccessDenied" },
    });

    // Act
    const check = byName(facts({ recorders: { value: [failing] } }))["Config recording"];

    // Assess
    expect(check?.ok).toBe(false);
    expect(check?.detail).toBe("default is recording, but its last recording failed: AccessDenied");
  });

  it("reports the calls it could not make as missing, with the error", () => {
    // Prepare
    const error = "DescribeTrails failed: AccessDeniedException: not authorized";

    // Act
    const checks = byName(facts({ trails: { error } }));

    // Assess
    expect(checks["CloudTrail trail"]).toMatchObject({ ok: false, detail: error });
    expect(checks["CloudTrail trail"]?.fix).toContain("'Preflight'");
    expect(checks["CloudTrail management events"]?.ok).toBe(false);
  });

  it("unions read and write coverage across logging trails, ignoring trails that are not logging", () => {
    // Prepare
    const reads = trail({
      name: "reads",
      selectors: { value: { basic: [{ ReadWriteType: "ReadOnly" }], advanced: [], custom: true } },
    });
    const writes = trail({
      name: "writes",
      selectors: { value: { basic: [{ ReadWriteType: "WriteOnly" }], advanced: [], custom: true } },
    });
    const stopped = trail({ name: "stopped", logging: { value: false } });

    // Act
    const checks = byName(facts({ trails: { value: [reads, writes, stopped] } }));

    // Assess
    expect(checks["CloudTrail trail"]?.detail).toBe(
      "reads (organization, multi-region), writes (organization, multi-region) logging in eu-west-1",
    );
    expect(checks["CloudTrail management events"]).toMatchObject({
      ok: true,
      detail: "read-only by reads, write by writes",
    });
  });
});

describe("managementCoverage", () => {
  const management = { Field: "eventCategory", Equals: ["Management"] };
  it.each([
    ["CloudTrail's default (no custom selectors)", [], [], false, { read: true, write: true }],
    ["custom but empty: nothing", [], [], true, { read: false, write: false }],
    ["a basic selector with defaults", [{}], [], true, { read: true, write: true }],
    ["ReadOnly", [{ ReadWriteType: "ReadOnly" }], [], true, { read: true, write: false }],
    ["management events off", [{ IncludeManagementEvents: false }], [], true, { read: false, write: false }],
    ["advanced: all management", [], [{ FieldSelectors: [management] }], true, { read: true, write: true }],
    [
      "advanced: read-only",
      [],
      [{ FieldSelectors: [management, { Field: "readOnly", Equals: ["true"] }] }],
      true,
      { read: true, write: false },
    ],
    [
      "advanced: Secrets Manager excluded",
      [],
      [
        {
          FieldSelectors: [management, { Field: "eventSource", NotEquals: ["secretsmanager.amazonaws.com"] }],
        },
      ],
      true,
      { read: false, write: false },
    ],
    [
      "advanced: KMS excluded only",
      [],
      [{ FieldSelectors: [management, { Field: "eventSource", NotEquals: ["kms.amazonaws.com"] }] }],
      true,
      { read: true, write: true },
    ],
    [
      "advanced: data events only",
      [],
      [{ FieldSelectors: [{ Field: "eventCategory", Equals: ["Data"] }] }],
      true,
      { read: false, write: false },
    ],
  ])("%s", (_label, basic: BasicEventSelector[], advanced: AdvancedSelector[], custom, expected) => {
    // Act and assess
    expect(managementCoverage(basic, advanced, custom)).toEqual(expected);
  });
});

describe("governor preflight of hostile resource names and error messages", () => {
  it("shows their control characters, each check on its own line, and sends none of them", async () => {
    // Prepare: a recorder, a trail and an AWS error message whose text someone else chose.
    const facts: PrerequisiteFacts = {
      region: "eu-west-1",
      recorders: {
        value: [
          {
            name: `rec${HOSTILE}`,
            status: { recording: true, lastStatus: "FAILURE", lastErrorMessage: `bad\nline${HOSTILE}` },
          },
        ],
      },
      trails: { error: `AccessDenied: not you${HOSTILE}` },
    };
    const reader = {
      region: async () => "eu-west-1",
      read: async () => facts,
    } as unknown as PrerequisitesReader;
    let stdout = "";
    const io = terminal({
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      color: false,
      cwd: process.cwd(),
    });

    // Act
    const code = await runPreflight(["--region", "eu-west-1"], io, () => reader);

    // Assess
    expect(code).toBe(1);
    expectTerminalSafe(
      stdout,
      `ok       Config recorder: rec${HOSTILE_SHOWN} in eu-west-1\n`,
      `last recording failed (bad[U+000A]line${HOSTILE_SHOWN})`,
      `missing  CloudTrail trail: AccessDenied: not you${HOSTILE_SHOWN}. Fix:`,
    );
    // A header and one line per check: no value added a line.
    expect(stdout.trimEnd().split("\n")).toHaveLength(1 + CHECKS.length);
  });
});
