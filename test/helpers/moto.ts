import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

/** A moto_server on 127.0.0.1, on a free port, for integration tests with the real SDK clients. */
export interface Moto {
  endpoint: string;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Environment for SDK clients that talk to moto: dummy credentials, a fixed region. */
export const MOTO_ENV = {
  AWS_ACCESS_KEY_ID: "testing",
  AWS_SECRET_ACCESS_KEY: "testing",
  AWS_REGION: "us-east-1",
} as const;

/**
 * Starts moto_server. Fails (never skips) when moto_server is not installed: these tests are part of the suite.
 */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...MOTO_ENV },
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<never>((_, reject) => {
    child.once("error", (error) => reject(new Error(`moto_server could not start: ${error.message}`)));
    child.once("exit", (code) => reject(new Error(`moto_server exited with ${code}: ${stderr}`)));
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await Promise.race([fetch(`${endpoint}/moto-api/`), exited]);
      if (response.ok) break;
    } catch (error) {
      if ((error as Error).message.startsWith("moto_server")) throw error;
      if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  exited.catch(() => {});
  return {
    endpoint,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`moto reset failed: ${response.status}`);
    },
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        // A moto_server that does not stop on SIGTERM within 5 s is killed: a test run never waits on it.
        const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      });
    },
  };
}
