import { readdir } from "node:fs/promises";
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from "@nestjs/common";
import { runner } from "node-pg-migrate";
import pg from "pg";
import { APP_CONFIG, type AppConfig } from "../config/app-config.js";
import { withTimeout } from "../common/timeout.js";
import { migrationsDir } from "../paths.js";
import { postgresClientConfig } from "./postgres-options.js";

export const migrationsTable = "pgmigrations";

/**
 * The PostgreSQL pool, and the migrations applied at boot.
 *
 * Migrations run in the background with retries instead of blocking boot: the HTTP server is up
 * at once, /api/ready says why the database is not usable yet, and a database that comes up
 * later (or a failed-over writer) needs no restart. node-pg-migrate holds a PostgreSQL advisory
 * lock while it migrates, so replicas that boot together apply each file once.
 */
@Injectable()
export class DatabaseService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly pool: pg.Pool;
  private readonly log = new Logger(DatabaseService.name);
  private readonly clientConfig: pg.ClientConfig;
  private migrated = false;
  private migrationError: string | undefined = "migrations have not run yet";
  private stopping = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.clientConfig = postgresClientConfig(config.database);
    this.pool = new pg.Pool({ ...this.clientConfig, max: 10, idleTimeoutMillis: 30_000 });
    // An idle client whose server went away emits here; without a listener the process would crash.
    this.pool.on("error", (error) => this.log.warn(`idle PostgreSQL connection failed: ${error.message}`));
  }

  onApplicationBootstrap(): void {
    void this.migrateUntilDone(0);
  }

  /** Throws, naming what is wrong, unless migrations are applied and a query answers within timeoutMs. */
  async check(timeoutMs: number): Promise<void> {
    if (!this.migrated) throw new Error(`migrations not applied: ${this.migrationError}`);
    await withTimeout(this.pool.query("SELECT 1"), timeoutMs, "PostgreSQL query");
  }

  get isMigrated(): boolean {
    return this.migrated;
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
      await client.connect();
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
