/**
 * Boot-time validation of the environment, built from the contract in env.contract.ts.
 *
 * `satisfies Record<ApiEnvName, EnvSpec>` makes the compiler reject a variable that is in the
 * contract but not validated here, or validated here but not in the contract; a test checks the
 * same at run time.
 */
import { z } from "zod";
import { apiEnvironment, type ApiEnvName } from "./env.contract.js";

/** How one variable is parsed, and what a person is told when it is wrong. */
export interface EnvSpec<T> {
  /** Completes "NAME must be ...". */
  expected: string;
  schema: z.ZodType<T, string>;
}

const integer = (min: number, max: number): EnvSpec<number> => ({
  expected: `an integer from ${min} to ${max}`,
  schema: z
    .string()
    .regex(/^[0-9]{1,10}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max)),
});

const boolean: EnvSpec<boolean> = {
  expected: "true or false",
  schema: z.enum(["true", "false"]).transform((value) => value === "true"),
};

const hostName: EnvSpec<string> = {
  expected: "a host name or IP address without spaces",
  schema: z.string().regex(/^[A-Za-z0-9._:-]{1,253}$/),
};

const identifier: EnvSpec<string> = {
  expected: "a non-empty string of at most 63 characters without spaces",
  schema: z.string().regex(/^\S{1,63}$/),
};

/** arn:<partition>:secretsmanager:<region>:<account>:secret:<name>; the first group is the region. */
export const secretArnPattern = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):[0-9]{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;

const secretArn: EnvSpec<string> = {
  expected: "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
  schema: z.string().regex(secretArnPattern),
};

const secret: EnvSpec<string> = {
  expected: "a non-empty string",
  schema: z.string().min(1),
};

export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
export type LogLevel = (typeof logLevels)[number];

export const envSpecs = {
  PORT: integer(1, 65535),
  LISTEN_ADDRESS: hostName,
  LOG_LEVEL: { expected: `one of ${logLevels.join(", ")}`, schema: z.enum(logLevels) },
  DATABASE_HOST: hostName,
  DATABASE_PORT: integer(1, 65535),
  DATABASE_USER: identifier,
  DATABASE_PASSWORD: secret,
  DATABASE_CREDENTIALS_ARN: secretArn,
  DATABASE_NAME: identifier,
  DATABASE_TLS: boolean,
  REDIS_HOST: hostName,
  REDIS_PORT: integer(1, 65535),
  REDIS_PASSWORD: secret,
  REDIS_TLS: boolean,
  REDIS_KEY_PREFIX: {
    expected: "at most 64 letters, digits or the characters . _ : -",
    schema: z.string().regex(/^[A-Za-z0-9._:-]{0,64}$/),
  },
  WRITE_RATE_LIMIT: integer(1, 1_000_000),
  WRITE_RATE_WINDOW_SECONDS: integer(1, 86_400),
  TRUST_PROXY_HOPS: integer(0, 10),
  NOTES_CACHE_TTL_SECONDS: integer(1, 86_400),
} as const satisfies Record<ApiEnvName, EnvSpec<unknown>>;

type Contract = typeof apiEnvironment;
/** Optional variables without a default are `undefined` when unset; every other one has a value. */
export type ParsedEnv = {
  [K in ApiEnvName]: z.output<(typeof envSpecs)[K]["schema"]> | (Contract[K] extends { required: true } | { default: string } ? never : undefined);
};

/** A configuration a person has to fix; its message is one line naming every offending variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Shown instead of the value of a secret, so that a typo in a password never reaches a log. */
const hidden = "a value that is not shown because the variable is secret";

function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

/**
 * Validates every variable of the contract at once. An empty value counts as unset, as ECS and
 * Compose pass unset optional variables as empty strings.
 * @throws ConfigError with one line such as `DATABASE_PORT must be an integer from 1 to 65535; got "abc"`.
 */
export function parseEnv(env: Readonly<Record<string, string | undefined>>): ParsedEnv {
  return validateEnv(env, apiEnvironment, envSpecs) as ParsedEnv;
}

type ContractEntry = { description: string; secret: boolean; required: boolean; default?: string };

/** parseEnv for any contract: the rules (defaults, required, secrets never echoed) are tested through it. */
export function validateEnv(
  env: Readonly<Record<string, string | undefined>>,
  contract: Readonly<Record<string, ContractEntry>>,
  specs: Readonly<Record<string, EnvSpec<unknown>>>,
): Record<string, unknown> {
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(contract)) {
    const spec = specs[name];
    const raw = env[name] === "" ? undefined : env[name];
    if (raw === undefined) {
      if (entry.required) problems.push(`${name} is required (${entry.description}) but is not set`);
      else parsed[name] = entry.default === undefined ? undefined : spec.schema.parse(entry.default);
      continue;
    }
    const result = spec.schema.safeParse(raw);
    if (result.success) parsed[name] = result.data;
    else problems.push(`${name} must be ${spec.expected}; got ${entry.secret ? hidden : shown(raw)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems.join("; "));
  return parsed;
}
