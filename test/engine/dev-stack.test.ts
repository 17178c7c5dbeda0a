/**
 * The dev stack on a real Docker engine, driven by the README's own commands (`pnpm dev:stack`,
 * `pnpm dev:stack --destroy`) and the real Pulumi CLI, checked the way a user would: containers
 * healthy, the app used in Chromium, the API on its port, and the stack's lifecycle (no churn, a
 * one-line change, destroy and up again, an engine restart).
 *
 * The tests run in order and share the stack they build: each starts from the state the one before left.
 * Needs a prepared machine (`pnpm engine:prepare`, which the suite runs itself); see the README's
 * "The engine suite".
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser } from "playwright-core";
import {
  diagnose,
  docker,
  engineEnv,
  inspectProduct,
  ownDaemonPid,
  removeProduct,
  resetProduct,
  root,
  run,
  waitFor,
  waitUntilHealthy,
} from "./support/engine";

const webUrl = "http://127.0.0.1:8080";
const apiUrl = "http://127.0.0.1:3001";
/** The users components/ declare for each container, and the image's own user where the program sets a name. */
const declaredUsers: Record<string, string> = { "nexiom-db": "postgres", "nexiom-cache": "valkey", "nexiom-api": "1000", "nexiom-web": "101" };

/** Debian's Chromium; nothing is downloaded. The flags keep it off the (closed) network. */
const chromiumOptions = {
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

interface Note {
  id: string;
  title: string;
  body: string;
}

async function getNote(base: string, id: string): Promise<Note | undefined> {
  const response = await fetch(`${base}/api/notes/${id}`);
  const text = await response.text();
  if (response.status === 404) return undefined;
  assert.equal(response.status, 200, `GET ${base}/api/notes/${id}: ${response.status} ${text}`);
  return JSON.parse(text) as Note;
}

/** Container IDs by name, to tell replaced containers from kept ones. */
async function containerIds(): Promise<Record<string, string | undefined>> {
  return Object.fromEntries(Object.entries(await inspectProduct()).map(([name, info]) => [name, info?.Id]));
}

describe("the dev stack on a real Docker engine", function () {
  // Cold builds of both images and several `up`s: minutes, not seconds.
  this.timeout(30 * 60_000);
  let browser: Browser;
  let note: Note;
  const devStackFile = path.join(root, "Pulumi.dev.yaml");
  let devStackFileBefore: string;

  before(async () => {
    engineEnv();
    devStackFileBefore = fs.readFileSync(devStackFile, "utf8");
    await resetProduct();
    browser = await chromium.launch(chromiumOptions);
  });

  after(async () => {
    await browser?.close();
    try {
      await removeProduct();
    } finally {
      // `pulumi stack init` writes the stack's encryption salt into Pulumi.dev.yaml: leave the tree as found.
      fs.writeFileSync(devStackFile, devStackFileBefore);
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") console.log(`\n      Containers after the failure:\n${await diagnose()}\n`);
  });

  it("`pnpm dev:stack` on an empty engine brings every container up healthy", async () => {
    const up = await run("pnpm", ["dev:stack"]);
    assert.match(up.output, /Web app:\s+http:\/\/localhost:8080/, "dev:stack prints where the product is");
    await waitUntilHealthy(30_000);
  });

  it("in Chromium, a note created through the web app on 127.0.0.1:8080 reads back", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    try {
      await page.goto(`${webUrl}/`);
      await page.getByRole("heading", { level: 1, name: "Notes" }).waitFor();
      const title = `Made on the engine ${Date.now()}`;
      await page.getByLabel("Title").fill(title);
      await page.getByLabel("Body").fill("Through nginx, the API, PostgreSQL and Redis, all in containers.");
      await page.getByRole("button", { name: "Add note" }).click();
      const link = page.locator(".note-list li").first().getByRole("link", { name: title });
      await link.waitFor();
      await link.click();
      await page.getByRole("heading", { level: 1, name: title }).waitFor();
      const id = new URL(page.url()).pathname.split("/").pop()!;
      note = (await getNote(webUrl, id))!;
      assert.equal(note.title, title);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  it("the API answers on 127.0.0.1:3001", async () => {
    const health = await fetch(`${apiUrl}/api/health`);
    const text = await health.text();
    assert.equal(health.status, 200, text);
    assert.equal((await getNote(apiUrl, note.id))?.title, note.title);
  });

  it("each container runs as the user the program declares, with a read-only root", async () => {
    for (const [name, info] of Object.entries(await inspectProduct())) {
      assert.ok(info, `${name} exists`);
      assert.equal(info.Config.User, declaredUsers[name], `${name}'s declared user`);
      assert.equal(info.HostConfig.ReadonlyRootfs, true, `${name} has a read-only root`);
      // What the process really runs as, asked of the kernel inside the container.
      const uid = spawnSync("docker", ["exec", name, "sh", "-c", "id -u"], { encoding: "utf8" });
      assert.equal(uid.status, 0, `docker exec ${name} id -u: ${uid.stderr}`);
      assert.notEqual(uid.stdout.trim(), "0", `${name} does not run as root`);
      const write = spawnSync("docker", ["exec", name, "sh", "-c", "touch /nexiom-write-test"], { encoding: "utf8" });
      assert.notEqual(write.status, 0, `${name} cannot write to its root filesystem`);
    }
  });

  it("the API container starts from the compile cache its image ships: same user, same path, read-only", async () => {
    // The container's own command plus the fill flag, inside the running container: Node reads the image's
    // cache and says whether it accepted it for dist/main.js; an unchanged cache is not written, so the
    // read-only root is no obstacle.
    const command = (await inspectProduct())["nexiom-api"]?.Config.Cmd ?? [];
    assert.equal(command.at(-1), "dist/main.js", `the API container's command: ${command.join(" ")}`);
    const check = spawnSync("docker", ["exec", "-e", "NODE_DEBUG_NATIVE=COMPILE_CACHE", "nexiom-api", ...command, "--fill-compile-cache"], {
      encoding: "utf8",
    });
    const output = `${check.stdout}${check.stderr}`;
    assert.equal(check.status, 0, output);
    assert.match(output, /V8 code cache for ESM file:\/\/\/app\/dist\/main\.js was accepted/, output);
  });

  it("`pulumi preview --expect-no-changes` passes right after `up`, and again after `pulumi refresh`", async () => {
    await run("pulumi", ["preview", "--stack", "dev", "--expect-no-changes", "--diff"]);
    await run("pulumi", ["refresh", "--stack", "dev", "--yes", "--skip-preview"]);
    await run("pulumi", ["preview", "--stack", "dev", "--expect-no-changes", "--diff"]);
  });

  it("a one-line change in apps/api rebuilds only the API image and replaces only the containers that follow it", async () => {
    const source = path.join(root, "apps/api/src/main.ts");
    const original = fs.readFileSync(source, "utf8");
    const before = await containerIds();
    try {
      fs.writeFileSync(source, `${original}process.env.NEXIOM_ENGINE_TEST_MARK ??= "${Date.now()}";\n`);
      const preview = await run("pulumi", ["preview", "--stack", "dev", "--json"], { quiet: true });
      const steps = (JSON.parse(preview.stdout) as { steps: { op: string; urn: string }[] }).steps
        .filter((step) => step.op !== "same")
        .map((step) => `${step.op} ${step.urn.split("::").pop()}`)
        .sort();
      assert.deepEqual(steps, ["replace api-container", "replace api-local", "replace web-container", "update api-build"]);

      await run("pnpm", ["dev:stack"]);
      await waitUntilHealthy(30_000);
      const after = await containerIds();
      assert.equal(after["nexiom-db"], before["nexiom-db"], "the database container is untouched");
      assert.equal(after["nexiom-cache"], before["nexiom-cache"], "the cache container is untouched");
      assert.notEqual(after["nexiom-api"], before["nexiom-api"], "the API container runs the new image");
      assert.notEqual(after["nexiom-web"], before["nexiom-web"], "nginx is replaced with the API it resolved at start");
      assert.equal((await getNote(webUrl, note.id))?.title, note.title, "the note is still there");
    } finally {
      fs.writeFileSync(source, original);
    }
  });

  it("`pnpm dev:stack --destroy`, then `pnpm dev:stack`: the note is still there and the API still logs in to its database", async () => {
    await run("pnpm", ["dev:stack", "--destroy"]);
    assert.deepEqual(Object.values(await containerIds()).filter(Boolean), [], "no product container is left");
    await docker.getVolume("nexiom-postgres-data").inspect(); // kept, as `docker compose down` keeps volumes

    await run("pnpm", ["dev:stack"]);
    await waitUntilHealthy(30_000);
    const ready = await fetch(`${apiUrl}/api/ready`);
    const text = await ready.text();
    assert.equal(ready.status, 200, `readiness after re-creation: ${text}`);
    assert.equal((await getNote(webUrl, note.id))?.title, note.title);
  });

  it("after an engine restart (a reboot) the product comes back by itself, and `pnpm dev:stack` makes it whole again", async () => {
    const pid = ownDaemonPid();
    if (pid) {
      // The daemon engine:prepare started: stop it as a shutdown would, then start it again.
      process.kill(pid, "SIGTERM");
      await waitFor("dockerd to exit", 60_000, async () => {
        try {
          process.kill(pid, 0);
          return undefined;
        } catch {
          return true;
        }
      });
      await run("bash", ["scripts/engine/prepare.sh"]);
    } else {
      // Someone else's daemon (Docker Desktop): stop the containers as its shutdown would, and start them.
      for (const name of Object.keys(declaredUsers)) await docker.getContainer(name).restart({ t: 30 });
    }
    await waitUntilHealthy(180_000);
    await waitFor("the note to be served again", 60_000, () => getNote(webUrl, note.id));

    // Something went missing meanwhile: one container removed, one stopped.
    await docker.getContainer("nexiom-web").remove({ force: true });
    await docker.getContainer("nexiom-cache").stop({ t: 10 });
    await run("pnpm", ["dev:stack"]);
    await waitUntilHealthy(30_000);
    assert.equal((await getNote(webUrl, note.id))?.title, note.title);
    await run("pulumi", ["preview", "--stack", "dev", "--expect-no-changes"]);
  });
});
