import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { DatabaseConfig } from "../config/app-config.js";
import { secretArnPattern } from "../config/env.schema.js";

/**
 * Where new PostgreSQL connections get their password.
 *
 * `password` is node-postgres's option: a fixed value, or a function it calls for each connection the server
 * asks a password of. `generation` changes each time the password changes. When
 * PostgreSQL refuses a password, `refresh(generation)` (the generation read before the attempt) resolves
 * true once a password worth trying again is known, false if there is none.
 */
export interface DatabaseCredentials {
  readonly generation: number;
  readonly password: string | undefined | (() => Promise<string>);
  refresh(rejectedGeneration: number): Promise<boolean>;
}

/** The secret could not be read (Secrets Manager out of reach, a denied or malformed secret): a 503, not a 500. */
export class CredentialsUnavailableError extends Error {
  override readonly name = "CredentialsUnavailableError";
}

/** A password that never changes (the Docker stack's, or none with trust authentication): nothing to refresh. */
export function staticCredentials(password: string | undefined): DatabaseCredentials {
  return { generation: 0, password, refresh: async () => false };
}

/** At most one read of Secrets Manager per interval after a refusal, so a wrong secret cannot turn each request into an API call. */
const minRefreshIntervalMs = 1_000;

/**
 * The password of an RDS-managed secret (JSON with a `password` key, as RDS writes it), read by the API
 * itself so that a rotation needs no restart: ECS would inject the value once, at task start.
 *
 * A rotation (Secrets Manager's createSecret, setSecret, testSecret, finishSecret steps) stores the new
 * password under AWSPENDING, changes it in the database, then moves AWSCURRENT to it. Between the
 * last two steps AWSCURRENT still holds the old password, which PostgreSQL already refuses; so after a
 * refusal the API reads AWSCURRENT and, if it is the password just refused, AWSPENDING. Connections
 * already open are not affected by a password change; only new ones authenticate.
 */
export function secretsManagerCredentials(secretArn: string, givenClient?: SecretsManagerClient): DatabaseCredentials {
  const region = regionOf(secretArn);
  // The SDK is loaded on the first read, not at start: evaluating it cost about a tenth of the API's boot
  // (profiled), and the Docker stack, which has no secret, never needs it.
  let sdk: Promise<{ client: SecretsManagerClient; GetSecretValueCommand: typeof import("@aws-sdk/client-secrets-manager").GetSecretValueCommand }> | undefined;
  const loadSdk = () =>
    (sdk ??= import("@aws-sdk/client-secrets-manager").then((module) => ({
      client: givenClient ?? new module.SecretsManagerClient({ region }),
      GetSecretValueCommand: module.GetSecretValueCommand,
    })));
  let password: Promise<string> | undefined;
  let generation = 0;
  let refreshing: Promise<boolean> | undefined;
  let lastRefresh = 0;

  const read = async (stage: "AWSCURRENT" | "AWSPENDING"): Promise<string | undefined> => {
    try {
      const { client, GetSecretValueCommand } = await loadSdk();
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
      return passwordOf(SecretString, secretArn);
    } catch (error) {
      // No version carries AWSPENDING outside a rotation.
      if (stage === "AWSPENDING" && (error as { name?: string }).name === "ResourceNotFoundException") return undefined;
      throw error;
    }
  };

  const refreshOnce = async (): Promise<boolean> => {
    const wait = lastRefresh + minRefreshIntervalMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lastRefresh = Date.now();
    const rejected = await password?.catch(() => undefined);
    const current = await read("AWSCURRENT");
    const next = current !== undefined && current !== rejected ? current : await read("AWSPENDING");
    if (next === undefined || next === rejected) return false;
    password = Promise.resolve(next);
    generation += 1;
    return true;
  };

  return {
    get generation() {
      return generation;
    },
    password() {
      password ??= read("AWSCURRENT").then((value) => {
        if (value === undefined) throw new Error(`Secrets Manager secret ${secretArn} has no AWSCURRENT version.`);
        return value;
      });
      // A failed read is retried by the next connection rather than remembered.
      const reading = password;
      return reading.catch((error: unknown) => {
        if (password === reading) password = undefined;
        throw new CredentialsUnavailableError(`could not read the database password from Secrets Manager: ${(error as Error).message}`, { cause: error });
      });
    },
    async refresh(rejectedGeneration) {
      // Another refusal already led to a new password: try that one.
      if (rejectedGeneration !== generation) return true;
      // Every connection refused at once shares one read: a rotation costs a task one or two reads.
      refreshing ??= refreshOnce().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}

/** The region is part of the ARN, so the task needs no AWS_REGION to find the secret. */
export function regionOf(secretArn: string): string {
  const region = secretArnPattern.exec(secretArn)?.[1];
  if (!region) throw new Error(`Not a Secrets Manager secret ARN: ${JSON.stringify(secretArn)}`);
  return region;
}

function passwordOf(secretString: string | undefined, secretArn: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString ?? "");
  } catch {
    parsed = undefined;
  }
  const password = (parsed as { password?: unknown } | undefined)?.password;
  // The value itself is never part of the message.
  if (typeof password !== "string" || password === "") throw new Error(`Secrets Manager secret ${secretArn} is not JSON with a non-empty string "password" key.`);
  return password;
}

/** The credentials the configuration asks for. */
export function databaseCredentials(db: DatabaseConfig): DatabaseCredentials {
  return db.passwordSecretArn ? secretsManagerCredentials(db.passwordSecretArn) : staticCredentials(db.password);
}
