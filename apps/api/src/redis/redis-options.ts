import type { RedisOptions } from "ioredis";
import type { RedisConfig } from "../config/app-config.js";

/**
 * ioredis options. Every call is time-bounded and fails at once while disconnected
 * (no offline queue): Redis holds a cache and rate-limit counters, so a slow or absent Redis
 * must make those paths give up quickly rather than hold requests.
 */
export function redisClientOptions(redis: RedisConfig): RedisOptions {
  return {
    host: redis.host,
    port: redis.port,
    password: redis.password,
    // An empty object means tls.connect with Node's default verification (rediss semantics).
    tls: redis.tls ? {} : undefined,
    keyPrefix: redis.keyPrefix,
    enableOfflineQueue: false,
    commandTimeout: 500,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  };
}
