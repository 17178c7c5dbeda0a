/**
 * `pnpm dev`: both apps without Docker, the API in watch mode on PORT (3000) and Vite on WEB_PORT (5173),
 * both on loopback only, with Vite proxying /api to the API.
 *
 * Each app runs in a process group of its own, and stopping stops the whole group: the apps' watchers
 * start children of their own (tsc, node --watch and the API, Vite's server), which would otherwise
 * outlive us and keep holding their ports. pnpm does not pass a SIGTERM on to the script it runs, so we
 * also stop when the process that started us goes away.
 */
import { spawn } from "node:child_process";

const apiPort = process.env.PORT ?? "3000";
const webPort = process.env.WEB_PORT ?? "5173";
/** How long the apps get to exit after SIGTERM before they are killed. */
const graceMs = 5_000;

const apps = [
  { name: "api", args: ["--filter", "@nexiom/api", "run", "dev"], env: { PORT: apiPort } },
  // --strictPort: fail rather than move to another port, which the proxy and the README would not know.
  { name: "web", args: ["--filter", "@nexiom/web", "run", "dev", "--host", "127.0.0.1", "--port", webPort, "--strictPort"], env: { API_PORT: apiPort } },
].map((app) => ({
  ...app,
  child: spawn("pnpm", app.args, { stdio: "inherit", detached: true, env: { ...process.env, ...app.env } }),
}));

/** Whether any process of the group is still running. */
function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

let stopping;
function stop(reason, exitCode) {
  stopping ??= (async () => {
    process.stderr.write(`\n==> pnpm dev: stopping (${reason})\n`);
    for (const { child } of apps) if (groupAlive(child.pid)) process.kill(-child.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (apps.some(({ child }) => groupAlive(child.pid)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    for (const { name, child } of apps) {
      if (groupAlive(child.pid)) {
        process.stderr.write(`==> pnpm dev: ${name} did not stop within ${graceMs / 1000} s; killing it\n`);
        process.kill(-child.pid, "SIGKILL");
      }
    }
    process.exit(exitCode);
  })();
}

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) process.on(signal, () => stop(signal, code));
for (const { name, child } of apps) {
  child.on("exit", (code, signal) => stop(`${name} exited with ${signal ?? code}`, code ?? 1));
}
// Orphaned: whoever started us (pnpm, a terminal) is gone, and with it any signal meant for us.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop("the process that started pnpm dev went away", 143);
}, 500).unref();
