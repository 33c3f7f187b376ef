import {
  CloudTrailClient,
  CloudTrailServiceException,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
} from "@aws-sdk/client-config-service";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makePrerequisitesReader, PrerequisitesReader } from "../../src/adapters/prerequisites.js";

const config = mockClient(ConfigServiceClient);
const cloudtrail = mockClient(CloudTrailClient);
const TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail";

function reader(): PrerequisitesReader {
  return new PrerequisitesReader(
    new ConfigServiceClient({ region: "eu-west-1" }),
    new CloudTrailClient({ region: "eu-west-1" }),
  );
}

const denied = (service: "config" | "cloudtrail", message: string) => {
  const options = { name: "AccessDeniedException", $fault: "client" as const, $metadata: {}, message };
  return service === "config"
    ? new ConfigServiceServiceException(options)
    : new CloudTrailServiceException(options);
};

describe("PrerequisitesReader", () => {
  beforeEach(() => {
    config.reset();
    cloudtrail.reset();
    cloudtrail.on(DescribeTrailsCommand).resolves({ trailList: [] });
    config.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [] });
  });
  afterAll(() => {
    config.restore();
    cloudtrail.restore();
  });

  it("reads the recorders with their recording mode and status, which moto does not keep", async () => {
    // Prepare
    config.on(DescribeConfigurationRecordersCommand).resolves({
      ConfigurationRecorders: [
        {
          name: "default",
          roleARN: "arn:aws:iam::111111111111:role/config",
          recordingGroup: {
            allSupported: false,
            exclusionByResourceTypes: { resourceTypes: ["AWS::EC2::Instance"] },
            recordingStrategy: { useOnly: "EXCLUSION_BY_RESOURCE_TYPES" },
          },
          recordingMode: {
            recordingFrequency: "DAILY",
            recordingModeOverrides: [
              { resourceTypes: ["AWS::SecretsManager::Secret"], recordingFrequency: "CONTINUOUS" },
            ],
          },
        },
        { name: "AWSConfigurationRecorderForX", servicePrincipal: "x.amazonaws.com" },
      ],
    });
    config.on(DescribeConfigurationRecorderStatusCommand).resolves({
      ConfigurationRecordersStatus: [
        { name: "AWSConfigurationRecorderForX", recording: true },
        { name: "default", recording: true, lastStatus: "Failure", lastErrorCode: "AccessDenied" },
      ],
    });

    // Act
    const facts = await reader().read("eu-west-1");

    // Assess
    expect(facts.recorders).toEqual({
      value: [
        {
          name: "default",
          recordingGroup: {
            allSupported: false,
            resourceTypes: [],
            excludedResourceTypes: ["AWS::EC2::Instance"],
            strategy: "EXCLUSION_BY_RESOURCE_TYPES",
          },
          recordingMode: {
            frequency: "DAILY",
            overrides: [{ resourceTypes: ["AWS::SecretsManager::Secret"], frequency: "CONTINUOUS" }],
          },
          status: { recording: true, lastStatus: "Failure", lastErrorCode: "AccessDenied" },
        },
        {
          name: "AWSConfigurationRecorderForX",
          servicePrincipal: "x.amazonaws.com",
          status: { recording: true },
        },
      ],
    });
  });

  it("asks for no status when there is no recorder", async () => {
    // Act
    const facts = await reader().read("eu-west-1");

    // Assess
    expect(facts.recorders).toEqual({ value: [] });
    expect(config.commandCalls(DescribeConfigurationRecorderStatusCommand)).toHaveLength(0);
  });

  it("keeps a failed call as its error, one line, without failing the other checks", async () => {
    // Prepare
    config.on(DescribeConfigurationRecordersCommand).rejects(denied("config", "not authorized"));

    // Act
    const facts = await reader().read("eu-west-1");

    // Assess
    expect(facts.recorders).toEqual({
      error: "DescribeConfigurationRecorders failed: AccessDeniedException: not authorized",
    });
    expect(facts.trails).toEqual({ value: [] });
  });

  it("reads shadow trails too, and each trail's status and selectors by its ARN", async () => {
    // Prepare: an organization trail of another region, seen from a member account.
    cloudtrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        {
          Name: "org-trail",
          TrailARN: TRAIL_ARN,
          HomeRegion: "us-east-1",
          IsMultiRegionTrail: true,
          IsOrganizationTrail: true,
          HasCustomEventSelectors: true,
        },
      ],
    });
    cloudtrail.on(GetTrailStatusCommand, { Name: TRAIL_ARN }).resolves({ IsLogging: true });
    cloudtrail.on(GetEventSelectorsCommand, { TrailName: TRAIL_ARN }).resolves({
      AdvancedEventSelectors: [
        { Name: "all", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] },
      ],
    });

    // Act
    const facts = await reader().read("eu-west-1");

    // Assess
    expect(cloudtrail.commandCalls(DescribeTrailsCommand)[0]?.args[0].input).toEqual({
      includeShadowTrails: true,
    });
    expect(facts.trails).toEqual({
      value: [
        {
          name: "org-trail",
          arn: TRAIL_ARN,
          homeRegion: "us-east-1",
          multiRegion: true,
          organization: true,
          logging: { value: true },
          selectors: {
            value: {
              basic: [],
              advanced: [
                { Name: "all", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] },
              ],
              custom: true,
            },
          },
        },
      ],
    });
  });

  it("keeps a trail whose status cannot be read, with the error", async () => {
    // Prepare
    cloudtrail
      .on(DescribeTrailsCommand)
      .resolves({ trailList: [{ Name: "org-trail", TrailARN: TRAIL_ARN }] });
    cloudtrail.on(GetTrailStatusCommand).rejects(denied("cloudtrail", "member accounts may not"));
    cloudtrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: "All" }] });

    // Act
    const facts = await reader().read("eu-west-1");

    // Assess
    expect(facts.trails).toMatchObject({
      value: [
        {
          logging: { error: "GetTrailStatus failed: AccessDeniedException: member accounts may not" },
          selectors: { value: { basic: [{ ReadWriteType: "All" }], advanced: [], custom: false } },
        },
      ],
    });
  });
});

describe("makePrerequisitesReader", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ["an explicit region first", { region: "ap-south-1" }, "sa-east-1", "ap-south-1"],
    ["AWS_REGION without one", {}, "sa-east-1", "sa-east-1"],
    ["nothing when no region is set anywhere", {}, undefined, undefined],
  ])("resolves %s", async (_label, options, env, expected) => {
    // Prepare
    vi.stubEnv("AWS_REGION", env);
    vi.stubEnv("AWS_DEFAULT_REGION", undefined);
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_CONFIG_FILE", "/dev/null");
    // The SDK also asks EC2 instance metadata for a region: not on a CI machine that runs on EC2.
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");

    // Act and assess
    expect(await makePrerequisitesReader(options).region()).toBe(expected);
  });
});
