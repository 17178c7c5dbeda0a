/** Where the real PostgreSQL and Redis the tests use are; override for CI or containers. */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { Redis } from "ioredis";

export const testDatabase = {
  host: process.env.TEST_DATABASE_HOST ?? "127.0.0.1",
  port: Number(process.env.TEST_DATABASE_PORT ?? 5432),
  user: process.env.TEST_DATABASE_USER ?? "postgres",
  password: process.env.TEST_DATABASE_PASSWORD,
};

export const testRedis = {
  host: process.env.TEST_REDIS_HOST ?? "127.0.0.1",
  port: Number(process.env.TEST_REDIS_PORT ?? 6379),
  password: process.env.TEST_REDIS_PASSWORD,
};

export function randomSuffix(): string {
  return randomBytes(5).toString("hex");
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...testDatabase, database: "postgres" });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A database of its own for one test file: nexiom_test_<random>, dropped by the returned function. */
export async function createTestDatabase(): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = `nexiom_test_${randomSuffix()}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  return { name, drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}

/** Runs SQL in a test database directly, bypassing the API. */
export async function queryTestDatabase<R extends pg.QueryResultRow>(database: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ ...testDatabase, database });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Deletes every key under a test run's prefix. */
export async function clearRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis({ ...testRedis, lazyConnect: true });
  await redis.connect();
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export async function redisKeys(pattern: string): Promise<string[]> {
  const redis = new Redis({ ...testRedis, lazyConnect: true });
  await redis.connect();
  try {
    return await redis.keys(pattern);
  } finally {
    redis.disconnect();
  }
}
