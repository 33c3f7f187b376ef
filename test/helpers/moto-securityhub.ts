import {
  GetFindingsCommand,
  type GetFindingsCommandOutput,
  SecurityHubClient,
} from "@aws-sdk/client-securityhub";
import type { AsffFinding } from "../../src/domain/asff.js";
import { MOTO_ENV } from "./moto.js";

/** A Security Hub client on moto (or any endpoint). */
export function motoSecurityHubClient(endpoint: string): SecurityHubClient {
  return new SecurityHubClient({
    endpoint,
    region: MOTO_ENV.AWS_REGION,
    credentials: { accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY },
  });
}

/** Every finding moto holds, page by page (moto 5.2's GetFindings takes no Filters or SortCriteria). */
export async function motoFindings(client: SecurityHubClient): Promise<AsffFinding[]> {
  const out: AsffFinding[] = [];
  let token: string | undefined;
  do {
    const page: GetFindingsCommandOutput = await client.send(
      new GetFindingsCommand({ MaxResults: 100, ...(token ? { NextToken: token } : {}) }),
    );
    out.push(...((page.Findings ?? []) as unknown as AsffFinding[]));
    token = page.NextToken;
  } while (token);
  return out;
}
