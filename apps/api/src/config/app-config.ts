import { ConfigError, parseEnv, type LogLevel } from "./env.schema.js";

export interface DatabaseConfig {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  /** Secrets Manager secret holding the password instead, read at run time so that a rotation needs no restart. */
  passwordSecretArn: string | undefined;
  name: string;
  /** Connect over TLS and verify the server against Node's CAs plus the Amazon RDS CAs. */
  tls: boolean;
}

export interface RedisConfig {
  host: string;
  port: number;
  password: string | undefined;
  /** rediss: TLS with the usual verification against Node's CAs. */
  tls: boolean;
  keyPrefix: string;
}

/** Everything the API reads from its environment, validated once at boot. */
export interface AppConfig {
  port: number;
  /** Address the HTTP server listens on. */
  host: string;
  logLevel: LogLevel;
  database: DatabaseConfig;
  redis: RedisConfig;
  writeRateLimit: { limit: number; windowSeconds: number };
  trustProxyHops: number;
  notesCacheTtlSeconds: number;
}

/** Injection token of the validated AppConfig. */
export const APP_CONFIG = Symbol("APP_CONFIG");

/** @throws ConfigError naming every missing or malformed variable, on one line. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const e = parseEnv(env);
  if (e.DATABASE_PASSWORD !== undefined && e.DATABASE_CREDENTIALS_ARN !== undefined) {
    throw new ConfigError("Only one of DATABASE_PASSWORD or DATABASE_CREDENTIALS_ARN can be set: the password comes either from the environment or from Secrets Manager");
  }
  return {
    port: e.PORT,
    host: e.LISTEN_ADDRESS,
    logLevel: e.LOG_LEVEL,
    database: {
      host: e.DATABASE_HOST,
      port: e.DATABASE_PORT,
      user: e.DATABASE_USER,
      password: e.DATABASE_PASSWORD,
      passwordSecretArn: e.DATABASE_CREDENTIALS_ARN,
      name: e.DATABASE_NAME,
      tls: e.DATABASE_TLS,
    },
    redis: {
      host: e.REDIS_HOST,
      port: e.REDIS_PORT,
      password: e.REDIS_PASSWORD,
      tls: e.REDIS_TLS,
      keyPrefix: e.REDIS_KEY_PREFIX,
    },
    writeRateLimit: { limit: e.WRITE_RATE_LIMIT, windowSeconds: e.WRITE_RATE_WINDOW_SECONDS },
    trustProxyHops: e.TRUST_PROXY_HOPS,
    notesCacheTtlSeconds: e.NOTES_CACHE_TTL_SECONDS,
  };
}
