import { readdir } from "node:fs/promises";
import { Inject, Injectable, Logger, type OnApplicationShutdown } from "@nestjs/common";
import { runner } from "node-pg-migrate";
import pg, { type QueryResultRow } from "pg";
import { APP_CONFIG, type AppConfig } from "../config/app-config.js";
import { DependencyUnavailableException } from "../common/dependency-unavailable.js";
import { withTimeout } from "../common/timeout.js";
import { migrationsDir } from "../paths.js";
import { CredentialsUnavailableError, databaseCredentials, type DatabaseCredentials } from "./credentials.js";
import { poolLimits, postgresClientConfig, postgresPoolConfig } from "./postgres-options.js";

export const migrationsTable = "pgmigrations";

const seconds = (ms: number) => `${ms / 1000} s`;

/**
 * What a failed query means for the client, in words that name PostgreSQL and hold no address or
 * driver text; undefined for errors that are the query's own fault (those stay 500s).
 */
export function describeUnavailable(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message ?? "";
  if (code === "28P01") return "PostgreSQL refused the API's credentials";
  if (error instanceof CredentialsUnavailableError) return "the PostgreSQL password could not be read from Secrets Manager";
  if (code === "55P03") return `PostgreSQL: a lock held by another transaction blocked this request for over ${seconds(poolLimits.lockTimeoutMs)}`;
  if (code === "57014") return `PostgreSQL did not finish the query within ${seconds(poolLimits.statementTimeoutMs)}`;
  if (message === "Query read timeout") return `PostgreSQL did not answer within ${seconds(poolLimits.queryTimeoutMs)}`;
  if (/timeout exceeded when trying to connect|connection timeout/i.test(message)) return `no PostgreSQL connection within ${seconds(poolLimits.connectTimeoutMs)}`;
  // Connection exceptions (08), operator intervention such as a shutdown (57), insufficient resources (53), socket errors.
  if (typeof code === "string" && (/^(08|57|53)/.test(code) || /^E[A-Z]+$/.test(code))) return "PostgreSQL is unreachable";
  if (/terminated|Connection/i.test(message)) return "PostgreSQL is unreachable";
  return undefined;
}

/**
 * The PostgreSQL pool, and the migrations applied at boot.
 *
 * Migrations run in the background with retries instead of blocking boot: the HTTP server is up
 * at once, /api/ready says why the database is not usable yet, and a database that comes up
 * later (or a failed-over writer) needs no restart. node-pg-migrate holds a PostgreSQL advisory
 * lock while it migrates, so replicas that boot together apply each file once.
 */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  readonly pool: pg.Pool;
  private readonly log = new Logger(DatabaseService.name);
  private readonly clientConfig: pg.ClientConfig;
  private readonly credentials: DatabaseCredentials;
  private migrated = false;
  private migrationError: string | undefined = "migrations have not run yet";
  private stopping = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.credentials = databaseCredentials(config.database);
    // Read for each new connection, so a rotated password reaches the next connection without a restart.
    const password = this.credentials.password;
    this.clientConfig = { ...postgresClientConfig(config.database), password };
    this.pool = new pg.Pool(postgresPoolConfig(this.clientConfig));
    // An idle client whose server went away emits here; without a listener the process would crash.
    this.pool.on("error", (error) => this.log.warn(`idle PostgreSQL connection failed: ${error.message}`));
    // Started here, not in onApplicationBootstrap: the connection and the migration check then overlap the
    // rest of Nest's start (route mapping, listen) instead of following it, as Redis's connection does.
    void this.migrateUntilDone(0);
  }

  /**
   * Throws unless migrations are applied and the notes table answers within timeoutMs: `SELECT 1`
   * alone would pass while a lock on the table holds every request. The error's message is fit for
   * the readiness body; its cause carries the driver's error for the log.
   */
  async check(timeoutMs: number): Promise<void> {
    if (!this.migrated) throw new Error("migrations not applied yet", { cause: new Error(this.migrationError) });
    try {
      // query_timeout per query (pg reads it, its types omit it): a probe that gives up also discards its
      // connection instead of leaving it busy. withTimeout covers the wait for a free connection.
      const probe = { text: "SELECT seq FROM notes ORDER BY seq DESC LIMIT 1", query_timeout: timeoutMs } as pg.QueryConfig;
      await withTimeout(this.withCurrentPassword(() => this.pool.query(probe)), timeoutMs, "PostgreSQL query");
    } catch (error) {
      const timedOut = /timed out|timeout/i.test((error as Error).message) || (error as { code?: unknown }).code === "55P03";
      throw new Error(timedOut ? `no answer to a query on notes within ${seconds(timeoutMs)}` : "query failed", { cause: error });
    }
  }

  /**
   * Runs one query on the pool. Failures that mean PostgreSQL cannot serve the request now (not
   * migrated, unreachable, silent, a held lock) become 503s naming PostgreSQL; the query's own
   * errors stay 500s.
   */
  async query<R extends QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    if (!this.migrated) throw new DependencyUnavailableException("postgres", "PostgreSQL is not ready yet (migrations not applied)");
    try {
      return (await this.withCurrentPassword(() => this.pool.query<R>(text, values))).rows;
    } catch (error) {
      const unavailable = describeUnavailable(error);
      if (unavailable) throw new DependencyUnavailableException("postgres", unavailable, error);
      throw error;
    }
  }

  /**
   * Runs work that opens a connection and, when PostgreSQL refuses the password (SQLSTATE 28P01: it was
   * rotated), runs it again once the credentials have a newer one, so that a rotation fails no request.
   * A refused login sent nothing else, so repeating it cannot apply a statement twice.
   */
  private async withCurrentPassword<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const generation = this.credentials.generation;
      try {
        return await work();
      } catch (error) {
        const refused = (error as { code?: unknown }).code === "28P01";
        // Two retries: the second covers a connection that raced a refresh and sent the password it replaced.
        if (!refused || attempt > 2) throw error;
        // Secrets Manager out of reach answers like the refusal itself: a 503 naming PostgreSQL, the reason in the log.
        const refreshed = await this.credentials.refresh(generation).catch((readError: unknown) => {
          this.log.warn(`could not read the database password from Secrets Manager: ${(readError as Error).message}`);
          return false;
        });
        if (!refreshed) throw error;
        this.log.warn("PostgreSQL refused the password; retrying with the one Secrets Manager now holds");
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    await this.pool.end();
  }

  /**
   * Fast path for the usual boot (every file already applied): one query on the pool, which also
   * opens the connection readiness will use, instead of node-pg-migrate's lock and catalogue
   * queries. Anything else (no table yet, a new file, an error) goes through node-pg-migrate.
   */
  private async alreadyMigrated(): Promise<boolean> {
    try {
      const [applied, files] = await Promise.all([
        this.pool.query<{ name: string }>(`SELECT name FROM ${migrationsTable} ORDER BY run_on, id`),
        readdir(migrationsDir),
      ]);
      const expected = files.filter((file) => file.endsWith(".sql")).map((file) => file.slice(0, -".sql".length)).sort();
      return applied.rows.length === expected.length && applied.rows.every((row, i) => row.name === expected[i]);
    } catch {
      return false;
    }
  }

  private async migrateUntilDone(attempt: number): Promise<void> {
    if (this.stopping) return;
    if (await this.alreadyMigrated()) {
      this.migrated = true;
      this.migrationError = undefined;
      this.log.log({ msg: "migrations applied", applied: [] });
      return;
    }
    const client = new pg.Client(this.clientConfig);
    client.on("error", () => undefined); // reported through the failed query below
    try {
      // A refused password fails this attempt; the next attempt's client gets the refreshed one.
      await client.connect().catch(async (error: unknown) => {
        if ((error as { code?: unknown }).code === "28P01") await this.credentials.refresh(this.credentials.generation).catch(() => false);
        throw error;
      });
      const applied = await runner({
        dbClient: client,
        dir: migrationsDir,
        migrationsTable,
        direction: "up",
        singleTransaction: true,
        checkOrder: true,
        log: () => undefined,
      });
      this.migrated = true;
      this.migrationError = undefined;
      this.log.log({ msg: "migrations applied", applied: applied.map((m) => m.name) });
    } catch (error) {
      this.migrationError = (error as Error).message.split("\n")[0];
      // Backoff capped at 5 s: a database that is still starting is found within seconds.
      const delay = Math.min(250 * 2 ** attempt, 5_000);
      this.log.error(`migrations failed, retrying in ${delay} ms: ${this.migrationError}`);
      if (!this.stopping) this.retryTimer = setTimeout(() => void this.migrateUntilDone(attempt + 1), delay);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
