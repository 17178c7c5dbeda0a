/**
 * A PostgreSQL server of the test's own (initdb + pg_ctl in a temporary directory) that checks
 * passwords: SCRAM-SHA-256 on TCP, where the API connects, and trust on its Unix socket, where the
 * test administers it. The shared test server trusts every loopback connection, so a wrong password
 * would pass there unnoticed.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./api-process.js";

export interface ScramPostgres {
  /** TCP port on 127.0.0.1; every login there needs the role's password. */
  port: number;
  /** Runs SQL as the superuser over the Unix socket (no password). */
  admin<R extends pg.QueryResultRow>(text: string, database?: string): Promise<R[]>;
  stop(): void;
}

/** Where initdb and pg_ctl are: TEST_PG_BIN, else what pg_config reports. */
function binDir(): string {
  if (process.env.TEST_PG_BIN) return process.env.TEST_PG_BIN;
  const found = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const dir = found.status === 0 ? found.stdout.trim() : "";
  if (!dir || !existsSync(join(dir, "initdb"))) {
    throw new Error("The rotation test starts its own PostgreSQL and needs initdb and pg_ctl: install the PostgreSQL server package (e.g. postgresql-15) or set TEST_PG_BIN to the directory holding them.");
  }
  return dir;
}

export async function startScramPostgres(): Promise<ScramPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), "nexiom-scram-pg-"));
  // PostgreSQL refuses to run as root; when the tests do, the server runs as nobody.
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: 65534, gid: 65534 } : {};
  if (asRoot) chownSync(dir, 65534, 65534);
  const run = (tool: string, args: string[]) => {
    try {
      execFileSync(join(bin, tool), args, { ...user, cwd: dir, stdio: "pipe", encoding: "utf8" });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${tool} ${args.join(" ")} failed:\n${stdout ?? ""}${stderr ?? ""}`);
    }
  };
  const data = join(dir, "data");
  const port = await freePort();
  run("initdb", ["-D", data, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync"]);
  run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
  return {
    port,
    async admin(text, database = "postgres") {
      const client = new pg.Client({ host: dir, port, user: "postgres", database });
      await client.connect();
      try {
        return (await client.query(text)).rows;
      } finally {
        await client.end();
      }
    },
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
