import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  PutResourcePolicyCommand,
  type SecretsManagerClient,
  TagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeSecretsManagerClient } from "../../src/adapters/aws-clients.js";
import { NO_PACING } from "../../src/adapters/pacer.js";
import { SecretsManagerStore } from "../../src/adapters/secrets-manager.js";
import { AdapterError } from "../../src/errors.js";
import { MOTO_ENV, type Moto, startMoto } from "../helpers/moto.js";

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };

/**
 * A proxy on 127.0.0.1 in front of moto that answers the calls `fault` picks with an error, as AWS would answer
 * a throttled or failing request, and passes the rest through. Counts requests per operation.
 */
interface FaultProxy {
  endpoint: string;
  counts: Map<string, number>;
  fault: (operation: string, attempt: number) => { status: number; type: string } | undefined;
  close(): Promise<void>;
}

async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const proxy: Partial<FaultProxy> = { counts: new Map(), fault: () => undefined };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.split(".").pop() ?? "";
      const attempt = (proxy.counts?.get(operation) ?? 0) + 1;
      proxy.counts?.set(operation, attempt);
      const fault = proxy.fault?.(operation, attempt);
      if (fault) {
        res.writeHead(fault.status, {
          "content-type": "application/x-amz-json-1.1",
          "x-amzn-errortype": fault.type,
          "x-amzn-requestid": "00000000-0000-0000-0000-000000000000",
        });
        res.end(JSON.stringify({ __type: fault.type, message: "Rate exceeded" }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(req.headers))
        if (typeof value === "string" && key !== "host" && key !== "content-length") headers[key] = value;
      const upstreamResponse = await fetch(`${upstream}${req.url ?? "/"}`, {
        method: req.method ?? "POST",
        headers,
        body: Buffer.concat(chunks),
      });
      const body = Buffer.from(await upstreamResponse.arrayBuffer());
      res.writeHead(upstreamResponse.status, {
        "content-type": upstreamResponse.headers.get("content-type") ?? "",
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  proxy.endpoint = `http://127.0.0.1:${port}`;
  proxy.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return proxy as FaultProxy;
}

describe("SecretsManagerStore against moto", () => {
  let moto: Moto;
  let proxy: FaultProxy;
  let direct: SecretsManagerClient;
  let arn: string;

  beforeAll(async () => {
    moto = await startMoto();
    proxy = await startFaultProxy(moto.endpoint);
    direct = makeSecretsManagerClient({ region: MOTO_ENV.AWS_REGION, endpoint: moto.endpoint, credentials });
  });
  afterAll(async () => {
    direct.destroy();
    await proxy.close();
    await moto.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    proxy.counts.clear();
    proxy.fault = () => undefined;
    const created = await direct.send(
      new CreateSecretCommand({ Name: "app/db", SecretString: "v", Tags: [{ Key: "team", Value: "a" }] }),
    );
    arn = created.ARN as string;
  });

  function storeThroughProxy(maxAttempts?: number): {
    store: SecretsManagerStore;
    client: SecretsManagerClient;
  } {
    const client = makeSecretsManagerClient({
      region: MOTO_ENV.AWS_REGION,
      endpoint: proxy.endpoint,
      credentials,
      ...(maxAttempts ? { maxAttempts } : {}),
    });
    return { store: new SecretsManagerStore(client, NO_PACING), client };
  }

  it("maps what moto returns: no LastAccessedDate, no PrimaryRegion, hence known to have no replicas", async () => {
    const raw = await direct.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(raw.LastAccessedDate).toBeUndefined();
    expect(raw.PrimaryRegion).toBeUndefined();
    expect(raw.ReplicationStatus).toBeUndefined();
    const { store, client } = storeThroughProxy();
    const secret = await store.describe(arn);
    client.destroy();
    expect(secret).toMatchObject({
      arn,
      name: "app/db",
      tags: { team: "a" },
      rotationEnabled: false,
      replicas: [],
    });
    expect(secret?.createdDate).toBeInstanceOf(Date);
    expect(secret?.lastAccessedDate).toBeUndefined();
  });

  it("documents where moto is looser than AWS, which is why the store checks for itself", async () => {
    // AWS rejects all three; moto takes them.
    await direct.send(new TagResourceCommand({ SecretId: arn, Tags: [{ Key: "aws:reserved", Value: "x" }] }));
    await direct.send(new PutResourcePolicyCommand({ SecretId: arn, ResourcePolicy: "{not json" }));
    const publicAllow = { Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] };
    await direct.send(
      new PutResourcePolicyCommand({
        SecretId: arn,
        ResourcePolicy: JSON.stringify(publicAllow),
        BlockPublicPolicy: true,
      }),
    );
    // AWS sets DeletedDate to the time of the request; moto to the end of the recovery window.
    const { DeletionDate } = await direct.send(
      new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }),
    );
    const described = await direct.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(described.DeletedDate).toEqual(DeletionDate);
  });

  it("rides out throttling with the adaptive retry", async () => {
    proxy.fault = (operation, attempt) =>
      operation === "TagResource" && attempt <= 2 ? { status: 400, type: "ThrottlingException" } : undefined;
    const { store, client } = storeThroughProxy();
    await store.tag(arn, { "governor:stage": "flagged" });
    const secret = await store.describe(arn);
    client.destroy();
    expect(proxy.counts.get("TagResource")).toBe(3);
    expect(secret?.tags).toEqual({ team: "a", "governor:stage": "flagged" });
  });

  it.each([
    { name: "persistent throttling", status: 400, type: "ThrottlingException" },
    { name: "a persistent 500", status: 500, type: "InternalServiceError" },
  ])("surfaces $name as a retryable AdapterError after the retries", async ({ status, type }) => {
    proxy.fault = (operation) => (operation === "PutResourcePolicy" ? { status, type } : undefined);
    const { store, client } = storeThroughProxy(3);
    const error = await store.putResourcePolicy(arn, '{"Statement":[]}').catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ operation: "PutResourcePolicy", retryable: true });
    expect((error as Error).message).toContain(type);
    expect(proxy.counts.get("PutResourcePolicy")).toBe(3);
  });

  it("surfaces an access error at once, not retryable", async () => {
    proxy.fault = (operation) =>
      operation === "ListSecrets" ? { status: 400, type: "AccessDeniedException" } : undefined;
    const { store, client } = storeThroughProxy();
    const error = await store
      .list()
      [Symbol.asyncIterator]()
      .next()
      .catch((e: unknown) => e);
    client.destroy();
    expect(error).toMatchObject({ operation: "ListSecrets", retryable: false });
    expect(proxy.counts.get("ListSecrets")).toBe(1);
  });

  it("surfaces an unreachable endpoint as a retryable AdapterError", async () => {
    const closed = await startFaultProxy(moto.endpoint);
    const endpoint = closed.endpoint;
    await closed.close();
    const client = makeSecretsManagerClient({
      region: MOTO_ENV.AWS_REGION,
      endpoint,
      credentials,
      maxAttempts: 1,
    });
    const error = await new SecretsManagerStore(client, NO_PACING).describe(arn).catch((e: unknown) => e);
    client.destroy();
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).retryable).toBe(true);
  });
});
