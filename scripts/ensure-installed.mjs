/**
 * Runs before `pnpm dev` and `pnpm plan`: installs the workspace's dependencies from the lockfile when
 * they are missing (a fresh clone) or older than the lockfile (after a pull), and does nothing otherwise.
 *
 * pnpm keeps a copy of the lockfile it installed from in node_modules/.pnpm/lock.yaml; comparing the two
 * costs a file read, where `pnpm install` itself takes seconds even when nothing changed. The install's
 * output goes to stderr, so that `pnpm --silent plan ... > plan.md` still writes only the plan.
 *
 * Plain JavaScript, not TypeScript: it runs before tsx is installed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const read = (file) => (existsSync(file) ? readFileSync(file, "utf8") : undefined);
const installed = read(join(root, "node_modules", ".pnpm", "lock.yaml"));

if (installed === undefined || installed !== read(join(root, "pnpm-lock.yaml"))) {
  process.stderr.write(`==> ${installed === undefined ? "No dependencies installed yet" : "pnpm-lock.yaml changed since the last install"}: pnpm install --frozen-lockfile\n`);
  const install = spawnSync("pnpm", ["install", "--frozen-lockfile"], { cwd: root, stdio: ["inherit", process.stderr, process.stderr] });
  if (install.status !== 0) {
    process.stderr.write(
      install.error
        ? `Could not run pnpm (${install.error.message}): install pnpm (see the README's prerequisites), then run \`pnpm install --frozen-lockfile\`.\n`
        : `\`pnpm install --frozen-lockfile\` failed (exit ${install.status}); fix what it says above, then run it again.\n`,
    );
    process.exit(1);
  }
}
