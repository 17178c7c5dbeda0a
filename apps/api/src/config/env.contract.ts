/**
 * The environment variables the API reads: the contract between the API and the infrastructure.
 *
 * Declared once, here, without dependencies, so that both sides import the same list:
 * the API builds its boot-time validation from it (src/config/env.schema.ts) and the Pulumi
 * program builds the API container's environment and secrets from it (components/service).
 * Tests on both sides fail when either drifts from this list.
 */
export interface EnvVariable {
  /** What the variable means, shown in validation errors and docs. */
  description: string;
  /**
   * A secret reaches the container only through a secret store (ECS `secrets` with `valueFrom`
   * on AWS, a Pulumi secret on Docker) and is never logged.
   */
  secret: boolean;
  /** Whether the process refuses to start without it. */
  required: boolean;
  /** The value used when it is not set (only for optional variables). */
  default?: string;
}

export const apiEnvironment = {
  PORT: {
    description: "TCP port the HTTP server listens on",
    secret: false,
    required: false,
    default: "3000",
  },
  LISTEN_ADDRESS: {
    description: "Address the HTTP server listens on: every interface (0.0.0.0) in a container, loopback (127.0.0.1) for `pnpm dev`",
    secret: false,
    required: false,
    default: "0.0.0.0",
  },
  LOG_LEVEL: {
    description: "Minimum log level: fatal, error, warn, info, debug or trace",
    secret: false,
    required: false,
    default: "info",
  },
  DATABASE_HOST: { description: "PostgreSQL host name", secret: false, required: true },
  DATABASE_PORT: {
    description: "PostgreSQL port",
    secret: false,
    required: false,
    default: "5432",
  },
  DATABASE_USER: { description: "PostgreSQL user", secret: false, required: true },
  DATABASE_PASSWORD: {
    description: "PostgreSQL password (injected on its own from a secret store)",
    secret: true,
    required: false,
  },
  DATABASE_CREDENTIALS_ARN: {
    description:
      "ARN of the Secrets Manager secret (JSON with a `password` key, as RDS keeps it) the API reads the PostgreSQL password from, and reads again when PostgreSQL refuses it after a rotation; instead of DATABASE_PASSWORD",
    secret: false,
    required: false,
  },
  DATABASE_NAME: { description: "PostgreSQL database name", secret: false, required: true },
  DATABASE_TLS: {
    description: "Connect to PostgreSQL over TLS, verifying the server (true on Aurora): true or false",
    secret: false,
    required: false,
    default: "false",
  },
  REDIS_HOST: { description: "Redis host name", secret: false, required: true },
  REDIS_PORT: { description: "Redis port", secret: false, required: false, default: "6379" },
  REDIS_PASSWORD: {
    description: "Redis AUTH token (injected on its own from a secret store)",
    secret: true,
    required: false,
  },
  REDIS_TLS: {
    description: "Connect to Redis over TLS (rediss; true on ElastiCache with in-transit encryption): true or false",
    secret: false,
    required: false,
    default: "false",
  },
  REDIS_KEY_PREFIX: {
    description: "Prefix of every Redis key the API writes, so that environments or test runs sharing a Redis do not collide",
    secret: false,
    required: false,
    default: "nexiom:",
  },
  WRITE_RATE_LIMIT: {
    description: "Writes (create, update, delete) one client IP may make per rate-limit window before getting 429",
    secret: false,
    required: false,
    default: "60",
  },
  WRITE_RATE_WINDOW_SECONDS: {
    description: "Length of the write rate-limit window, in seconds",
    secret: false,
    required: false,
    default: "60",
  },
  TRUST_PROXY_HOPS: {
    description:
      "Number of proxies in front of the API whose X-Forwarded-For entries are trusted to find the client IP (1: nginx or the ALB; 2: ALB then nginx; 0: none)",
    secret: false,
    required: false,
    default: "1",
  },
  NOTES_CACHE_TTL_SECONDS: {
    description: "How long a cached page of the notes list lives in Redis, in seconds (writes invalidate it sooner)",
    secret: false,
    required: false,
    default: "60",
  },
} as const satisfies Record<string, EnvVariable>;

export type ApiEnvName = keyof typeof apiEnvironment;

/** Every variable name, in declaration order. */
export const apiEnvNames = Object.keys(apiEnvironment) as ApiEnvName[];

/** Names of the variables that must come from a secret store. */
export const apiSecretEnvNames = apiEnvNames.filter((name) => apiEnvironment[name].secret);
