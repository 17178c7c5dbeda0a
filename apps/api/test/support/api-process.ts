/** Starts the built API (dist/main.js) as a child process, as the runner image does, and talks to it. */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { testDatabase, testRedis } from "./services.js";

export const apiRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const repoRoot = join(apiRoot, "..", "..");
export const builtEntry = join(apiRoot, "dist", "main.js");

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

/** The variables of a working API against the test services; a test overrides what it is about. */
export function baseEnv(database: string, redisKeyPrefix: string): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_HOST: testDatabase.host,
    DATABASE_PORT: String(testDatabase.port),
    DATABASE_USER: testDatabase.user,
    DATABASE_NAME: database,
    REDIS_HOST: testRedis.host,
    REDIS_PORT: String(testRedis.port),
    REDIS_KEY_PREFIX: redisKeyPrefix,
    LOG_LEVEL: "info",
  };
  if (testDatabase.password) env.DATABASE_PASSWORD = testDatabase.password;
  if (testRedis.password) env.REDIS_PASSWORD = testRedis.password;
  return env;
}

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** stdout lines parsed as JSON (every line must be JSON). */
  logLines(): Record<string, unknown>[];
  /** Resolves with the exit code (null if killed by a signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Environment of the child, replacing (not extending) the test process's, as a container's would. */
  env: Record<string, string>;
  /** Entry point and working directory; default: this package's dist/main.js. */
  command?: string[];
  cwd?: string;
}

/** Spawns the API on a free port; does not wait for it (see waitFor). */
export async function spawnApi({ env, command = [process.execPath, builtEntry], cwd = apiRoot }: StartOptions): Promise<ApiProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(command[0], command.slice(1), {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env, PORT: port },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => stdout + stderr,
    logLines: () =>
      stdout
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Polls path every intervalMs until it answers with status, for at most timeoutMs; fails with the process output. */
export async function waitFor(api: ApiProcess, path: string, status: number, timeoutMs = 20_000, intervalMs = 25): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (api.child.exitCode !== null) throw new Error(`API exited with ${api.child.exitCode} before ${path} answered ${status}:\n${api.output()}`);
    try {
      const response = await fetch(`${api.url}${path}`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === status) return response;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${path} did not answer ${status} within ${timeoutMs} ms (last: ${last}):\n${api.output()}`);
}

/** Spawns the API and waits until /api/ready answers 200. */
export async function startReadyApi(options: StartOptions): Promise<ApiProcess> {
  const api = await spawnApi(options);
  try {
    await waitFor(api, "/api/ready", 200);
  } catch (error) {
    await api.stop();
    throw error;
  }
  return api;
}

/** fetch with a JSON body and an X-Forwarded-For that picks the rate-limit bucket. */
export function sendJson(url: string, method: string, body: unknown, clientIp = "203.0.113.1", headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method,
    headers: { "content-type": "application/json", "x-forwarded-for": clientIp, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The response body as JSON, typed loosely: the assertions check its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function json(response: Response): Promise<any> {
  return response.json();
}

/** Polls the process's log until a line satisfies done; returns that line. */
export async function waitForLogLine(api: ApiProcess, done: (line: Record<string, unknown>) => boolean, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = api.logLines().find(done);
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no log line as expected within ${timeoutMs} ms:\n${api.output().slice(-4_000)}`);
}

/** Polls /api/ready until its body satisfies done (e.g. one dependency up, the other down); returns that body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function waitForReadiness(api: ApiProcess, done: (body: any) => boolean, timeoutMs = 20_000): Promise<{ status: number; body: any }> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${api.url}/api/ready`, { signal: AbortSignal.timeout(3_000) });
      const body = await response.json();
      if (done(body)) return { status: response.status, body };
      last = `${response.status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`/api/ready did not reach the expected state within ${timeoutMs} ms (last: ${last}):\n${api.output()}`);
}
