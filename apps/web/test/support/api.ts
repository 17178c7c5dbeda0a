import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pg from "pg";
import { http } from "./http";
import { contextDir } from "./image";
import { freePort, run, start, waitFor, type Child } from "./process";

/** The API's production build, as the API's image runs it. */
export const apiEntry = join(contextDir, "apps/api/dist/main.js");

/** Builds the API with its own build script (`pnpm --filter @nexiom/api run build`). */
export async function buildApi(): Promise<void> {
  await run("pnpm", ["--filter", "@nexiom/api", "run", "build"], { cwd: contextDir });
}

const admin = { host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" };

/** A new, empty PostgreSQL database; `drop` removes it. */
export async function createDatabase(): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `nexiom_web_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(admin);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A Redis server of our own on a free loopback port, keeping nothing on disk. */
export async function startRedis(): Promise<{ port: number; child: Child }> {
  const port = await freePort();
  const child = start("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
  await waitFor(`redis-server on port ${port}`, async () => child.output().includes("Ready to accept connections"), child);
  return { port, child };
}

export interface Api {
  url: string;
  port: number;
  child: Child;
}

/** Starts `node apps/api/dist/main.js` and waits until /api/ready answers 200 (migrations applied). */
export async function startApi(env: { database: string; redisPort: number }): Promise<Api> {
  const port = await freePort();
  const child = start(process.execPath, [apiEntry], {
    cwd: join(contextDir, "apps/api"),
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      PORT: String(port),
      LOG_LEVEL: "warn",
      DATABASE_HOST: "127.0.0.1",
      DATABASE_USER: "postgres",
      DATABASE_NAME: env.database,
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: String(env.redisPort),
      // Behind nginx, as in both environments.
      TRUST_PROXY_HOPS: "1",
      // The tests and the benchmark write more often than one person would.
      WRITE_RATE_LIMIT: "100000",
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`the API on ${url}`, async () => (await http(`${url}/api/ready`)).status === 200, child);
  return { url, port, child };
}
