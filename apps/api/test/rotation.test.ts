/**
 * A rotation of the database password under steady load fails no request and needs no restart.
 *
 * Real: the built API, PostgreSQL checking SCRAM passwords (a server of the test's own), Redis.
 * Emulated at its API boundary: Secrets Manager (GetSecretValue over AWS's JSON protocol, called by the
 * real AWS SDK). The rotation follows Secrets Manager's steps: the new password is staged as AWSPENDING,
 * set in the database, and only then labelled AWSCURRENT; new connections are opened in the window
 * between, when AWSCURRENT already holds a password PostgreSQL refuses, and after it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { baseEnv, startReadyApi, type ApiProcess } from "./support/api-process.js";
import { runLoad, type Outcome } from "./support/load.js";
import { startScramPostgres, type ScramPostgres } from "./support/scram-postgres.js";
import { startSecretsManagerStub, type SecretsManagerStub } from "./support/secrets-manager-stub.js";
import { clearRedisPrefix, randomSuffix } from "./support/services.js";

const role = "nexiom_app";
const database = "nexiom";
const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-rotation-test-AbCdEf";
const newPassword = () => randomBytes(18).toString("base64url");
const secretJson = (password: string) => JSON.stringify({ username: role, password });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface RotationRun {
  outcomes: Outcome[];
  /** Backends of the API's role that started after the database password changed (new logins). */
  loginsAfterChange: number;
}

describe("database password rotation under load", function () {
  this.timeout(90_000);
  let postgres: ScramPostgres;
  let secrets: SecretsManagerStub;
  let api: ApiProcess | undefined;
  const redisKeyPrefix = `nexiom-test-${randomSuffix()}:`;

  before(async () => {
    postgres = await startScramPostgres();
    await postgres.admin(`CREATE ROLE ${role} LOGIN`);
    await postgres.admin(`CREATE DATABASE ${database} OWNER ${role}`);
  });

  afterEach(async () => {
    await api?.stop();
    api = undefined;
    await secrets?.close();
  });

  after(async () => {
    postgres?.stop();
    await clearRedisPrefix(redisKeyPrefix);
  });

  /** Starts the API with `passwordEnv`, then rotates under load: 2 workers, 6 in the window, 10 after it. */
  async function rotateUnderLoad(passwordEnv: (password: string) => Record<string, string>): Promise<RotationRun> {
    const oldPassword = newPassword();
    const rotated = newPassword();
    await postgres.admin(`ALTER ROLE ${role} PASSWORD '${oldPassword}'`);
    secrets = await startSecretsManagerStub(arn, secretJson(oldPassword));
    const { DATABASE_PASSWORD: _sharedServerPassword, ...shared } = baseEnv(database, redisKeyPrefix);
    const env = {
      ...shared,
      DATABASE_HOST: "127.0.0.1",
      DATABASE_PORT: String(postgres.port),
      DATABASE_USER: role,
      WRITE_RATE_LIMIT: "1000000",
      LOG_LEVEL: "warn",
      ...passwordEnv(oldPassword),
    };
    api = await startReadyApi({ env });

    let stop = false;
    const load = (concurrency: number) =>
      runLoad({
        url: api!.url,
        concurrency,
        // Reads and writes, so that every request needs PostgreSQL.
        next: (n) => (n % 2 === 0 ? { method: "POST", path: "/api/notes", body: { title: `note ${n}` } } : { method: "GET", path: "/api/notes?limit=5" }),
        done: () => stop,
        maxDurationMs: 20_000,
        requestTimeoutMs: 10_000,
      });
    const steady = load(2);
    await sleep(1_500);

    // createSecret, then setSecret: the database takes the new password while AWSCURRENT still holds the old one.
    secrets.stagePending(secretJson(rotated));
    const [{ now: changedAt }] = await postgres.admin<{ now: Date }>(`SELECT now()`);
    await postgres.admin(`ALTER ROLE ${role} PASSWORD '${rotated}'`);
    const inWindow = load(4);
    await sleep(1_500);
    // finishSecret: AWSCURRENT moves to the new password.
    secrets.promotePending();
    const after = load(4);
    await sleep(1_500);
    stop = true;
    const outcomes = (await Promise.all([steady, inWindow, after])).flat();
    const [{ count }] = await postgres.admin<{ count: string }>(
      `SELECT count(*) FROM pg_stat_activity WHERE usename = '${role}' AND backend_start > '${changedAt.toISOString()}'`,
    );
    return { outcomes, loginsAfterChange: Number(count) };
  }

  const failures = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === undefined || o.status >= 400);
  const describeFailures = (failed: Outcome[]) =>
    failed
      .slice(0, 5)
      .map((o) => `${o.request.method} ${o.request.path} -> ${o.status ?? o.error} ${JSON.stringify(o.json)}`)
      .join("\n");

  it("fails no request when the API reads the password from Secrets Manager", async () => {
    const run = await rotateUnderLoad(() => ({
      DATABASE_CREDENTIALS_ARN: arn,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "not-a-real-secret-key",
    }));
    const failed = failures(run.outcomes);
    console.log(`      rotation: ${run.outcomes.length} requests, ${failed.length} failed, ${run.loginsAfterChange} logins after the change, Secrets Manager calls ${JSON.stringify(secrets.calls)}`);
    // The rotation was really exercised: new logins after the change, and a read of AWSPENDING in the window.
    assert.ok(run.loginsAfterChange >= 4, `expected new connections after the password change, got ${run.loginsAfterChange}`);
    assert.ok((secrets.calls.AWSPENDING ?? 0) >= 1, `expected the API to read AWSPENDING in the window; calls: ${JSON.stringify(secrets.calls)}`);
    assert.ok(run.outcomes.length >= 200, `expected steady load, got ${run.outcomes.length} requests`);
    assert.equal(failed.length, 0, `failed requests:\n${describeFailures(failed)}\n${api!.output().slice(-3000)}`);
  });

  it("fails requests when the password is fixed at start, as ECS injects it (the problem this solves)", async () => {
    const run = await rotateUnderLoad((password) => ({ DATABASE_PASSWORD: password }));
    const failed = failures(run.outcomes);
    console.log(`      fixed password: ${run.outcomes.length} requests, ${failed.length} failed`);
    assert.ok(failed.length > 0, "a password fixed at start should fail the new connections after a rotation");
    assert.ok(
      failed.every((o) => o.status === 503 && (o.json as { message?: string }).message === "PostgreSQL refused the API's credentials"),
      `every failure should be a 503 naming the refused credentials:\n${describeFailures(failed)}`,
    );
  });
});
