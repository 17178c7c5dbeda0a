/**
 * The engine part of `pnpm bench`: how long the dev stack takes a user, and what each app image adds to
 * its base. Figures, not tests: the script exits 0 unless something breaks.
 *
 * - cold `pnpm dev:stack`: no product containers, volume or network, and neither the app images nor
 *   BuildKit's cache (the base images stay: they are what a registry would serve);
 * - warm `pnpm dev:stack`: nothing changed;
 * - a one-line change in apps/api, from the edit until the web app serves a note through the new API;
 * - each app image's own layers (those above its base image), in bytes.
 *
 * It uses the engine suite's state backend and refuses, like the suite, to touch a dev stack it did not
 * create. Runs once each (a cold run takes minutes): `pnpm bench:engine`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { docker, engineEnv, removeProduct, resetProduct, root, run, waitFor } from "./support/engine";

const webUrl = "http://127.0.0.1:8080";

async function timed(what: string, action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`  ${what}: ${seconds.toFixed(1)} s`);
  return seconds;
}

/** Bytes and count of the layers an image has above its first stage's base (the runner's FROM). */
async function ownLayers(image: string, base: string): Promise<{ layers: number; bytes: number }> {
  const mine = await docker.getImage(image).inspect();
  const theirs = await docker.getImage(base).inspect();
  const baseLayers = new Set(theirs.RootFS.Layers ?? []);
  return { layers: (mine.RootFS.Layers ?? []).filter((layer) => !baseLayers.has(layer)).length, bytes: mine.Size - theirs.Size };
}

async function servesANote(): Promise<boolean> {
  const created = await fetch(`${webUrl}/api/notes`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ title: "bench", body: "" }) });
  return created.status === 201;
}

async function main(): Promise<void> {
  engineEnv();
  const devStackFile = path.join(root, "Pulumi.dev.yaml");
  const devStackFileBefore = fs.readFileSync(devStackFile, "utf8");
  const source = path.join(root, "apps/api/src/main.ts");
  const original = fs.readFileSync(source, "utf8");
  const rows: [string, string][] = [];
  try {
    console.log("engine bench: resetting the engine (product, app images, BuildKit cache)");
    await resetProduct();
    for (const image of await docker.listImages()) {
      for (const tag of image.RepoTags ?? []) if (/^nexiom-(api|web):/.test(tag)) await docker.getImage(tag).remove({ force: true });
    }
    await run("docker", ["buildx", "prune", "--all", "--force"], { quiet: true });

    const cold = await timed("cold pnpm dev:stack", () => run("pnpm", ["dev:stack"], { quiet: true }));
    rows.push(["cold `pnpm dev:stack` (empty engine, no build cache)", `${cold.toFixed(1)} s`]);
    const warm = await timed("warm pnpm dev:stack", () => run("pnpm", ["dev:stack"], { quiet: true }));
    rows.push(["warm `pnpm dev:stack` (nothing changed)", `${warm.toFixed(1)} s`]);

    const change = await timed("one-line API change until a note is served", async () => {
      fs.writeFileSync(source, `${original}process.env.NEXIOM_BENCH_MARK ??= "${Date.now()}";\n`);
      await run("pnpm", ["dev:stack"], { quiet: true });
      await waitFor("the web app to serve a note", 60_000, async () => ((await servesANote()) ? true : undefined));
    });
    rows.push(["one-line change in apps/api, edit to a note served", `${change.toFixed(1)} s`]);

    const tags = Object.fromEntries(
      (await docker.listImages()).flatMap((image) => (image.RepoTags ?? []).filter((tag) => /^nexiom-(api|web):/.test(tag)).map((tag) => [tag.split(":")[0], tag])),
    );
    for (const app of ["api", "web"]) {
      // The runner stage's base: the Dockerfile's last FROM.
      const base = [...fs.readFileSync(path.join(root, "apps", app, "Dockerfile"), "utf8").matchAll(/^FROM\s+(\S+)/gm)].at(-1)![1]!;
      const own = await ownLayers(tags[`nexiom-${app}`], base);
      rows.push([`${app} image: its own layers above \`${base}\``, `${(own.bytes / 1e6).toFixed(2)} MB in ${own.layers} layers`]);
    }
  } finally {
    fs.writeFileSync(source, original);
    await removeProduct();
    fs.writeFileSync(devStackFile, devStackFileBefore);
  }

  console.log("\n| Measure (engine) | Result |\n| --- | --- |");
  for (const [measure, result] of rows) console.log(`| ${measure} | ${result} |`);
}

main().catch((error) => {
  console.error(`engine bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
