import type * as pulumi from "@pulumi/pulumi";
import { apiEnvironment, apiEnvNames, type ApiEnvName } from "../apps/api/src/config/env.contract";
import type { SecretSource } from "./secret";

/** A value for each of the API's variables: a secret source for secret ones, a plain input for the rest. */
export type ApiEnvValues = {
  [K in ApiEnvName]?: (typeof apiEnvironment)[K]["secret"] extends true ? SecretSource : pulumi.Input<string>;
};

/**
 * Splits the API's variables into plain environment and secrets, following the API's own contract.
 *
 * Every variable of the contract reaches the container: the given value, else the contract's default,
 * so the container's environment (and the task definition) lists the whole contract. A required
 * variable without a value, or a name the contract does not know, is a program error, caught at
 * evaluation time rather than as a crashing container.
 */
export function apiContainerEnvironment(values: ApiEnvValues): {
  environment: Record<string, pulumi.Input<string>>;
  secrets: Record<string, SecretSource>;
} {
  const unknown = Object.keys(values).filter((name) => !(apiEnvNames as string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`Not in the API's env contract (apps/api/src/config/env.contract.ts): ${unknown.join(", ")}.`);
  }
  const environment: Record<string, pulumi.Input<string>> = {};
  const secrets: Record<string, SecretSource> = {};
  for (const name of apiEnvNames) {
    const spec: { secret: boolean; required: boolean; default?: string; description: string } = apiEnvironment[name];
    const value = values[name];
    if (value === undefined) {
      if (spec.default !== undefined) environment[name] = spec.default;
      else if (spec.required) throw new Error(`The API requires ${name} (${spec.description}), but the program gives it no value.`);
    } else if (spec.secret) {
      secrets[name] = value as SecretSource;
    } else {
      environment[name] = value as pulumi.Input<string>;
    }
  }
  return { environment, secrets };
}

/**
 * How the API gets its database password. A Secrets Manager secret (Aurora's managed master secret, which
 * rotates every 7 days) is given by its ARN: the API reads it itself, and again when PostgreSQL refuses a
 * rotated password, so running tasks need no restart; ECS `secrets` would inject the value once, at task
 * start. A password that never changes (Docker's generated one) stays a plain secret variable.
 */
export function apiDatabasePassword(source: SecretSource): { variables: ApiEnvValues; secretsReadAtRunTime: pulumi.Input<string>[] } {
  if (source.kind === "value") return { variables: { DATABASE_PASSWORD: source }, secretsReadAtRunTime: [] };
  if (source.jsonKey !== "password") {
    throw new Error(`The API reads the "password" key of its database secret (as RDS writes it); this secret gives ${source.jsonKey === undefined ? "a plain string" : `the key "${source.jsonKey}"`}.`);
  }
  return { variables: { DATABASE_CREDENTIALS_ARN: source.arn }, secretsReadAtRunTime: [source.arn] };
}
