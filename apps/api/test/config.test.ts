import assert from "node:assert/strict";
import { z } from "zod";
import { apiEnvNames, apiSecretEnvNames } from "../src/config/env.contract.js";
import { envSpecs, parseEnv, validateEnv } from "../src/config/env.schema.js";
import { loadConfig } from "../src/config/app-config.js";

const required = {
  DATABASE_HOST: "db.internal",
  DATABASE_USER: "nexiom",
  DATABASE_NAME: "nexiom",
  REDIS_HOST: "cache.internal",
};

describe("environment validation", () => {
  it("validates exactly the variables the contract declares, in the same order", () => {
    assert.deepEqual(Object.keys(envSpecs), apiEnvNames);
  });

  it("applies the contract's defaults when only the required variables are set", () => {
    const config = loadConfig(required);
    assert.equal(config.port, 3000);
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.logLevel, "info");
    assert.deepEqual(config.database, { host: "db.internal", port: 5432, user: "nexiom", password: undefined, passwordSecretArn: undefined, name: "nexiom", tls: false });
    assert.deepEqual(config.redis, { host: "cache.internal", port: 6379, password: undefined, tls: false, keyPrefix: "nexiom:" });
    assert.deepEqual(config.writeRateLimit, { limit: 60, windowSeconds: 60 });
    assert.equal(config.trustProxyHops, 1);
    assert.equal(config.notesCacheTtlSeconds, 60);
  });

  it("maps every set variable into the config", () => {
    const config = loadConfig({
      ...required,
      PORT: "8080",
      LISTEN_ADDRESS: "127.0.0.1",
      LOG_LEVEL: "debug",
      DATABASE_PORT: "6543",
      DATABASE_PASSWORD: "s3cret",
      DATABASE_TLS: "true",
      REDIS_PORT: "6380",
      REDIS_PASSWORD: "t0ken",
      REDIS_TLS: "true",
      REDIS_KEY_PREFIX: "test:",
      WRITE_RATE_LIMIT: "5",
      WRITE_RATE_WINDOW_SECONDS: "10",
      TRUST_PROXY_HOPS: "2",
      NOTES_CACHE_TTL_SECONDS: "30",
    });
    assert.deepEqual(config, {
      port: 8080,
      host: "127.0.0.1",
      logLevel: "debug",
      database: { host: "db.internal", port: 6543, user: "nexiom", password: "s3cret", passwordSecretArn: undefined, name: "nexiom", tls: true },
      redis: { host: "cache.internal", port: 6380, password: "t0ken", tls: true, keyPrefix: "test:" },
      writeRateLimit: { limit: 5, windowSeconds: 10 },
      trustProxyHops: 2,
      notesCacheTtlSeconds: 30,
    });
  });

  it("treats an empty value as unset, as ECS and Compose pass unset optional variables", () => {
    assert.equal(loadConfig({ ...required, DATABASE_PORT: "", DATABASE_PASSWORD: "" }).database.port, 5432);
    assert.equal(loadConfig({ ...required, DATABASE_PASSWORD: "" }).database.password, undefined);
  });

  const cases: [string, Record<string, string | undefined>, string][] = [
    ["missing required variable", { ...required, DATABASE_HOST: undefined }, "DATABASE_HOST is required (PostgreSQL host name) but is not set"],
    ["non-numeric port", { ...required, DATABASE_PORT: "abc" }, 'DATABASE_PORT must be an integer from 1 to 65535; got "abc"'],
    ["port out of range", { ...required, REDIS_PORT: "70000" }, 'REDIS_PORT must be an integer from 1 to 65535; got "70000"'],
    ["port zero", { ...required, PORT: "0" }, 'PORT must be an integer from 1 to 65535; got "0"'],
    ["fractional port", { ...required, PORT: "80.5" }, 'PORT must be an integer from 1 to 65535; got "80.5"'],
    ["boolean spelled yes", { ...required, DATABASE_TLS: "yes" }, 'DATABASE_TLS must be true or false; got "yes"'],
    ["unknown log level", { ...required, LOG_LEVEL: "verbose" }, 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace; got "verbose"'],
    ["host with a space", { ...required, REDIS_HOST: "cache internal" }, 'REDIS_HOST must be a host name or IP address without spaces; got "cache internal"'],
    ["zero rate limit", { ...required, WRITE_RATE_LIMIT: "0" }, 'WRITE_RATE_LIMIT must be an integer from 1 to 1000000; got "0"'],
    [
      "secret ARN of another service",
      { ...required, DATABASE_CREDENTIALS_ARN: "arn:aws:ssm:eu-west-1:123456789012:parameter/db" },
      'DATABASE_CREDENTIALS_ARN must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>); got "arn:aws:ssm:eu-west-1:123456789012:parameter/db"',
    ],
    ["prefix with a space", { ...required, REDIS_KEY_PREFIX: "a b" }, 'REDIS_KEY_PREFIX must be at most 64 letters, digits or the characters . _ : -; got "a b"'],
    [
      "two problems at once, on one line",
      { ...required, DATABASE_USER: undefined, REDIS_TLS: "1" },
      'DATABASE_USER is required (PostgreSQL user) but is not set; REDIS_TLS must be true or false; got "1"',
    ],
  ];
  for (const [what, env, message] of cases) {
    it(`rejects a ${what} with: ${message}`, () => {
      assert.throws(() => parseEnv(env), { name: "ConfigError", message });
    });
  }

  it("reads the password from Secrets Manager when given an RDS-managed secret's ARN", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0c1d2e3f-AbCdEf";
    assert.equal(loadConfig({ ...required, DATABASE_CREDENTIALS_ARN: arn }).database.passwordSecretArn, arn);
  });

  it("refuses both a password and a secret ARN for it", () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf";
    assert.throws(() => loadConfig({ ...required, DATABASE_PASSWORD: "s3cret", DATABASE_CREDENTIALS_ARN: arn }), {
      name: "ConfigError",
      message: "Only one of DATABASE_PASSWORD or DATABASE_CREDENTIALS_ARN can be set: the password comes either from the environment or from Secrets Manager",
    });
  });

  it("never repeats the value of a secret variable in its error", () => {
    const contract = { API_TOKEN: { description: "a token", secret: true, required: true } };
    const specs = { API_TOKEN: { expected: "64 hex digits", schema: z.string().regex(/^[0-9a-f]{64}$/) } };
    assert.throws(() => validateEnv({ API_TOKEN: "hunter2-not-hex" }, contract, specs), {
      message: "API_TOKEN must be 64 hex digits; got a value that is not shown because the variable is secret",
    });
  });

  it("marks both passwords secret, so that they are never echoed", () => {
    assert.deepEqual(apiSecretEnvNames, ["DATABASE_PASSWORD", "REDIS_PASSWORD"]);
  });
});
