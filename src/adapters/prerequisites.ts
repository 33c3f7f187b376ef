import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
} from "@aws-sdk/client-cloudtrail";
import {
  ConfigServiceClient,
  type ConfigurationRecorder,
  type ConfigurationRecorderStatus,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConfigurationRecordersCommand,
} from "@aws-sdk/client-config-service";
import { boundedRequests, toAdapterError } from "./aws-clients.js";

/**
 * What `governor preflight` reads of an account: its AWS Config recorders and CloudTrail trails, as they are. This
 * module only reads; src/cli/preflight.ts judges. Every call is read-only:
 * config:DescribeConfigurationRecorders, config:DescribeConfigurationRecorderStatus, cloudtrail:DescribeTrails,
 * cloudtrail:GetTrailStatus, cloudtrail:GetEventSelectors.
 */

/** A value read, or why it could not be (the SDK error, one line). */
export type Read<T> = { value: T } | { error: string };

export interface RecordingGroupFacts {
  allSupported?: boolean;
  resourceTypes: string[];
  excludedResourceTypes: string[];
  /** ALL_SUPPORTED_RESOURCE_TYPES, INCLUSION_BY_RESOURCE_TYPES or EXCLUSION_BY_RESOURCE_TYPES; absent on old recorders. */
  strategy?: string;
}

export interface RecorderFacts {
  name: string;
  /** Set on a service-linked recorder, which records for that service only. */
  servicePrincipal?: string;
  /** Absent: Config's default, every supported resource type. */
  recordingGroup?: RecordingGroupFacts;
  /** The default frequency (CONTINUOUS or DAILY) and the per-type overrides. */
  recordingMode?: { frequency?: string; overrides: { resourceTypes: string[]; frequency?: string }[] };
  /** From DescribeConfigurationRecorderStatus; absent when Config returned none for this recorder. */
  status?: { recording: boolean; lastStatus?: string; lastErrorCode?: string; lastErrorMessage?: string };
}

/** A basic event selector, as CloudTrail returns it (the fields that decide management events). */
export interface BasicEventSelector {
  ReadWriteType?: string | undefined;
  IncludeManagementEvents?: boolean | undefined;
  ExcludeManagementEventSources?: string[] | undefined;
}

/** One field condition of an advanced event selector, as CloudTrail returns it. */
export interface FieldSelector {
  Field: string | undefined;
  Equals?: string[] | undefined;
  NotEquals?: string[] | undefined;
  StartsWith?: string[] | undefined;
  NotStartsWith?: string[] | undefined;
  EndsWith?: string[] | undefined;
  NotEndsWith?: string[] | undefined;
}

/** An advanced event selector: it selects the events that match all its field selectors. */
export interface AdvancedSelector {
  Name?: string | undefined;
  FieldSelectors: FieldSelector[] | undefined;
}

export interface TrailSelectors {
  basic: BasicEventSelector[];
  advanced: AdvancedSelector[];
  /** DescribeTrails' HasCustomEventSelectors: false means CloudTrail's default, all management events. */
  custom: boolean;
}

export interface TrailFacts {
  name: string;
  /** The ARN: status and selectors of a shadow trail (another region's, an organization's) are read by ARN. */
  arn: string;
  homeRegion?: string;
  multiRegion: boolean;
  organization: boolean;
  logging: Read<boolean>;
  selectors: Read<TrailSelectors>;
}

export interface PrerequisiteFacts {
  region: string;
  recorders: Read<RecorderFacts[]>;
  trails: Read<TrailFacts[]>;
}

async function attempt<T>(operation: string, call: () => Promise<T>): Promise<Read<T>> {
  try {
    return { value: await call() };
  } catch (error) {
    return { error: toAdapterError(operation, error).message };
  }
}

function recorderFacts(
  recorder: ConfigurationRecorder,
  statuses: readonly ConfigurationRecorderStatus[],
): RecorderFacts {
  const name = recorder.name ?? recorder.arn ?? "(unnamed)";
  const group = recorder.recordingGroup;
  const status = statuses.find((s) => (s.arn && s.arn === recorder.arn) || s.name === recorder.name);
  return {
    name,
    ...(recorder.servicePrincipal ? { servicePrincipal: recorder.servicePrincipal } : {}),
    ...(group
      ? {
          recordingGroup: {
            ...(group.allSupported !== undefined ? { allSupported: group.allSupported } : {}),
            resourceTypes: group.resourceTypes ?? [],
            excludedResourceTypes: group.exclusionByResourceTypes?.resourceTypes ?? [],
            ...(group.recordingStrategy?.useOnly ? { strategy: group.recordingStrategy.useOnly } : {}),
          },
        }
      : {}),
    ...(recorder.recordingMode
      ? {
          recordingMode: {
            ...(recorder.recordingMode.recordingFrequency
              ? { frequency: recorder.recordingMode.recordingFrequency }
              : {}),
            overrides: (recorder.recordingMode.recordingModeOverrides ?? []).map((o) => ({
              resourceTypes: o.resourceTypes ?? [],
              ...(o.recordingFrequency ? { frequency: o.recordingFrequency } : {}),
            })),
          },
        }
      : {}),
    ...(status
      ? {
          status: {
            recording: status.recording === true,
            ...(status.lastStatus ? { lastStatus: status.lastStatus } : {}),
            ...(status.lastErrorCode ? { lastErrorCode: status.lastErrorCode } : {}),
            ...(status.lastErrorMessage ? { lastErrorMessage: status.lastErrorMessage } : {}),
          },
        }
      : {}),
  };
}

/** Reads the prerequisites through injected clients (tests pass aws-sdk-client-mock's or moto's). */
export class PrerequisitesReader {
  constructor(
    private readonly config: ConfigServiceClient,
    private readonly cloudtrail: CloudTrailClient,
  ) {}

  /** The region the clients resolved (option, AWS_REGION, the profile), or undefined when there is none. */
  async region(): Promise<string | undefined> {
    try {
      return await this.config.config.region();
    } catch {
      return undefined;
    }
  }

  async read(region: string): Promise<PrerequisiteFacts> {
    const [recorders, trails] = await Promise.all([this.recorders(), this.trails()]);
    return { region, recorders, trails };
  }

  private async recorders(): Promise<Read<RecorderFacts[]>> {
    const described = await attempt("DescribeConfigurationRecorders", () =>
      this.config.send(new DescribeConfigurationRecordersCommand({})),
    );
    if ("error" in described) return described;
    const list = described.value.ConfigurationRecorders ?? [];
    if (list.length === 0) return { value: [] };
    const statuses = await attempt("DescribeConfigurationRecorderStatus", () =>
      this.config.send(new DescribeConfigurationRecorderStatusCommand({})),
    );
    if ("error" in statuses) return statuses;
    const status = statuses.value.ConfigurationRecordersStatus ?? [];
    return { value: list.map((r) => recorderFacts(r, status)) };
  }

  private async trails(): Promise<Read<TrailFacts[]>> {
    // Shadow trails included: a multi-region trail of another home region, or an organization's trail, covers
    // this region too. DescribeTrails has no pagination.
    const described = await attempt("DescribeTrails", () =>
      this.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
    );
    if ("error" in described) return described;
    const trails = described.value.trailList ?? [];
    return {
      value: await Promise.all(
        trails.map(async (trail): Promise<TrailFacts> => {
          const name = trail.Name ?? trail.TrailARN ?? "(unnamed)";
          const id = trail.TrailARN ?? name;
          const [logging, selectors] = await Promise.all([
            attempt("GetTrailStatus", async () => {
              const status = await this.cloudtrail.send(new GetTrailStatusCommand({ Name: id }));
              return status.IsLogging === true;
            }),
            attempt("GetEventSelectors", async (): Promise<TrailSelectors> => {
              const found = await this.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: id }));
              return {
                basic: found.EventSelectors ?? [],
                advanced: found.AdvancedEventSelectors ?? [],
                custom: trail.HasCustomEventSelectors === true,
              };
            }),
          ]);
          return {
            name,
            arn: id,
            ...(trail.HomeRegion ? { homeRegion: trail.HomeRegion } : {}),
            multiRegion: trail.IsMultiRegionTrail === true,
            organization: trail.IsOrganizationTrail === true,
            logging,
            selectors,
          };
        }),
      ),
    };
  }
}

/**
 * A reader on the default credential chain. `region` unset: the SDK's own resolution (AWS_REGION, the profile);
 * `endpoint` (AWS_ENDPOINT_URL) points both clients at an emulator.
 */
export function makePrerequisitesReader(options: {
  region?: string;
  endpoint?: string;
}): PrerequisitesReader {
  const config = {
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    maxAttempts: 3,
    requestHandler: boundedRequests(),
  };
  return new PrerequisitesReader(new ConfigServiceClient(config), new CloudTrailClient(config));
}
