/**
 * The contract each official image keeps for the product, checked on the images tagged as the product names
 * them: the stand-ins of test/engine/images/ on this machine (scripts/engine/standin-images.sh), or the real
 * images where a registry served them. Every check starts real containers (read-only root, no capabilities,
 * the product's tmpfs mounts and users where it matters) and removes them. Needs the Docker engine: run with
 * `mocha --config test/engine/.mocharc.json`, not part of `pnpm test:infra`.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import {
  cleanUp,
  diagnose,
  docker,
  dockerOk,
  hostPort,
  logs,
  network,
  runOnce,
  start,
  volume,
  waitFor,
  waitForLog,
} from "./support/docker";

const repo = path.resolve(__dirname, "../..");
const script = "scripts/engine/standin-images.sh";

/** The tags in the script's list, as tag=folder lines. */
function scriptTags(): Map<string, string> {
  const text = readFileSync(path.join(repo, script), "utf8");
  const list = /^standins=\(\n([\s\S]*?)\n\)/m.exec(text);
  assert.ok(list, `${script} has no standins=( ... ) list`);
  return new Map(
    [...list[1].matchAll(/"([^"=]+)=([^"]+)"/g)].map((m) => [m[1], m[2]] as [string, string]),
  );
}

const tags = scriptTags();
function tagFor(folder: string): string {
  const tag = [...tags].find(([, dir]) => dir === folder)?.[0];
  assert.ok(tag, `${script} lists no stand-in for test/engine/images/${folder}`);
  return tag;
}
const node = tagFor("node");
const nginx = tagFor("nginx-unprivileged");
const postgres = tagFor("postgres");
const valkey = tagFor("valkey");

/** The hardening every product container gets (components/docker-container.ts). */
const hardened = ["--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true"];
const tmpfs = (p: string) => ["--tmpfs", `${p}:rw,noexec,nosuid,size=64m`];

async function imageConfig(tag: string): Promise<{ User: string; StopSignal?: string; Volumes?: Record<string, unknown>; WorkingDir: string; Entrypoint: string[]; Cmd: string[]; ExposedPorts?: Record<string, unknown> }> {
  return JSON.parse(await dockerOk(["image", "inspect", "--format", "{{json .Config}}", tag]));
}

/** uid and gid of a container's PID 1, from /proc (no ps in the images). */
async function pid1Ids(container: string): Promise<{ uid: string; gid: string }> {
  const status = await dockerOk(["exec", container, "cat", "/proc/1/status"]);
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  const gid = /^Gid:\s+(\d+)/m.exec(status)?.[1];
  assert.ok(uid && gid, `no Uid/Gid in /proc/1/status of ${container}: ${status}`);
  return { uid, gid };
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, urlPath: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: urlPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

before(async function () {
  this.timeout(30_000);
  const info = await docker(["info", "--format", "{{.ServerVersion}}"]);
  assert.equal(info.code, 0, `the Docker engine is not reachable (docker info: ${info.stderr.trim()}); start it, then run this suite again.`);
  for (const tag of tags.keys()) {
    const found = await docker(["image", "inspect", tag]);
    assert.equal(found.code, 0, `image ${tag} is missing: run ${script} first.`);
  }
});

after(async function () {
  this.timeout(60_000);
  await cleanUp();
});

describe("the stand-in list", () => {
  it("covers every image the product's Dockerfiles build FROM", () => {
    for (const app of ["api", "web"]) {
      const dockerfile = readFileSync(path.join(repo, "apps", app, "Dockerfile"), "utf8");
      for (const [, image] of dockerfile.matchAll(/^FROM\s+(\S+)/gm)) {
        assert.ok(tags.has(image), `apps/${app}/Dockerfile builds FROM ${image}, which ${script} does not provide`);
      }
    }
  });

  it("covers the database and cache images the dev stack runs, at the components' default versions", () => {
    for (const [dir, image] of [["components/database", "postgres:${version}-alpine"], ["components/cache", "valkey/valkey:${version}-alpine"]]) {
      const source = readFileSync(path.join(repo, dir, "docker.ts"), "utf8");
      assert.ok(source.includes(`\`${image}\``), `${dir}/docker.ts no longer names its image as ${image}: update this test and ${script}`);
      const version = /args\.version \?\? "([^"]+)"/.exec(readFileSync(path.join(repo, dir, "index.ts"), "utf8"))?.[1];
      assert.ok(version, `${dir}/index.ts has no default version`);
      const tag = image.replace("${version}", version);
      assert.ok(tags.has(tag), `${dir} runs ${tag}, which ${script} does not provide`);
    }
  });
});

describe(`node stand-in (${node})`, function () {
  this.timeout(120_000);

  it("runs a first argument that is a flag under node", async () => {
    const result = await runOnce(node, [], ["--version"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "v24.18.0");
  });

  it("runs a first argument that is not a command under node", async () => {
    const result = await runOnce(node, [], ["no-such-script.js"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Cannot find module '\/no-such-script\.js'/, "node did not run it");
  });

  it("runs a command found on PATH as given, and node by default", async () => {
    const shell = await runOnce(node, [], ["sh", "-c", "echo shell:$0"]);
    assert.equal(shell.stdout.trim(), "shell:sh", shell.stderr);
    const config = await imageConfig(node);
    assert.deepEqual(config.Cmd, ["node"]);
  });

  it("has user node with uid/gid 1000 and home /home/node", async () => {
    const result = await runOnce(node, ["--user", "node"], ["sh", "-c", 'id; echo "home=$HOME"; getent passwd node']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^uid=1000\(node\) gid=1000\(node\)/m);
    assert.match(result.stdout, /^node:x:1000:1000:.*:\/home\/node:\/bin\/sh$/m);
    assert.match(result.stdout, /^home=\/home\/node$/m);
  });

  it("has npm, npx, corepack and yarn on PATH at the versions Node 24.18.0 ships with", async () => {
    const result = await runOnce(node, ["--user", "node"], [
      "sh",
      "-c",
      "echo npm=$(npm --version) npx=$(npx --version) corepack=$(corepack --version) yarn=$(yarn --version)",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "npm=11.16.0 npx=11.16.0 corepack=0.35.0 yarn=1.22.22");
  });

  it("lets corepack enable pnpm and fetch the product's pnpm from the npm registry, as the builder stages do", async () => {
    const pnpm = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).packageManager as string;
    const version = pnpm.replace(/^pnpm@/, "").replace(/\+.*$/, "");
    const result = await runOnce(node, ["-e", "COREPACK_ENABLE_DOWNLOAD_PROMPT=0", "-w", "/tmp"], [
      "sh",
      "-c",
      `corepack enable pnpm && echo '{"packageManager":"${pnpm}"}' > package.json && pnpm --version`,
    ]);
    assert.equal(result.code, 0, `corepack could not provide ${pnpm}:\n${result.stderr}`);
    assert.equal(result.stdout.trim().split("\n").pop(), version);
  });

  it("runs as the API does: uid 1000, read-only root, only /tmp writable", async () => {
    const probe =
      "const fs=require('fs');fs.writeFileSync('/tmp/probe','x');" +
      "try{fs.writeFileSync('/probe','x');console.log('root writable')}catch(e){console.log(e.code)}" +
      ";console.log(process.getuid())";
    const result = await runOnce(node, ["--user", "1000", ...hardened, ...tmpfs("/tmp")], ["-e", probe]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split("\n"), ["EROFS", "1000"]);
  });

  it("stops on SIGTERM, the default signal, like the official image", async () => {
    const config = await imageConfig(node);
    assert.ok(!config.StopSignal || config.StopSignal === "SIGTERM", `StopSignal is ${config.StopSignal}`);
    const container = await start(node, ["--user", "node", ...hardened], [
      "-e",
      "process.on('SIGTERM',()=>{console.log('got SIGTERM');process.exit(0)});console.log('ready');setInterval(()=>{},1000)",
    ]);
    await waitForLog(container, "ready");
    await dockerOk(["stop", "--time", "10", container]);
    assert.match(await logs(container), /got SIGTERM/, await diagnose(container));
  });
});

describe(`nginx-unprivileged stand-in (${nginx})`, function () {
  this.timeout(120_000);
  // conf.d as a tmpfs owned by uid 101: Docker gives a tmpfs the image directory's mode (0775) but root as
  // owner, so with the product's options (no uid=) nginx cannot write it; see the last test of this block.
  const web = ["--user", "101", ...hardened, ...tmpfs("/tmp"), "--tmpfs", "/etc/nginx/conf.d:rw,noexec,nosuid,size=64m,uid=101,gid=101"];

  /** A template and a site root, mounted read-only as the web image copies them. */
  function site(template: string): string[] {
    const dir = mkdtempSync(path.join(tmpdir(), "nexiom-standin-nginx-"));
    mkdirSync(path.join(dir, "html", "assets"), { recursive: true });
    writeFileSync(path.join(dir, "default.conf.template"), template);
    writeFileSync(path.join(dir, "html", "index.html"), "<!doctype html><title>stand-in</title>\n");
    const asset = "console.log('stand-in');\n".repeat(50);
    writeFileSync(path.join(dir, "html", "assets", "app.js"), asset);
    writeFileSync(path.join(dir, "html", "assets", "app.js.gz"), gzipSync(asset, { level: 9 }));
    chmodSync(dir, 0o755);
    return [
      "-v", `${path.join(dir, "default.conf.template")}:/etc/nginx/templates/default.conf.template:ro`,
      "-v", `${path.join(dir, "html")}:/etc/nginx/html:ro`,
    ];
  }

  it("runs as uid/gid 101 (nginx) with the unprivileged image's entrypoint, port, command and stop signal", async () => {
    const config = await imageConfig(nginx);
    assert.equal(config.User, "101");
    assert.deepEqual(config.Entrypoint, ["/docker-entrypoint.sh"]);
    assert.deepEqual(config.Cmd, ["nginx", "-g", "daemon off;"]);
    assert.deepEqual(Object.keys(config.ExposedPorts ?? {}), ["8080/tcp"]);
    assert.equal(config.StopSignal, "SIGQUIT");
    const ids = await runOnce(nginx, [], ["id"]);
    assert.match(ids.stdout, /^uid=101\(nginx\) gid=101\(nginx\)/, ids.stderr);
  });

  it("owns /etc/nginx and /var/cache/nginx as uid 101, group 0, group-writable", async () => {
    const result = await runOnce(nginx, [], ["stat", "-c", "%n %u %g %A", "/etc/nginx", "/etc/nginx/conf.d", "/var/cache/nginx"]);
    assert.equal(result.code, 0, result.stderr);
    for (const line of result.stdout.trim().split("\n")) assert.match(line, /^\S+ 101 0 d.{3}.w/, line);
  });

  it("serves the product's template as the web container runs it: read-only root, tmpfs /tmp and conf.d, root html = /etc/nginx/html, gzip_static", async () => {
    const template = readFileSync(path.join(repo, "apps/web/nginx/default.conf.template"), "utf8");
    const container = await start(nginx, [
      ...web,
      ...site(template),
      "-e", "NGINX_PORT=8080",
      "-e", "API_UPSTREAM=127.0.0.1:3000",
      "-p", "127.0.0.1::8080",
    ]);
    await waitForLog(container, "start worker process");
    const port = await hostPort(container, 8080);
    const health = await get(port, "/healthz");
    assert.equal(health.status, 200, await diagnose(container));
    const index = await get(port, "/notes/42");
    assert.equal(index.status, 200);
    assert.match(index.body.toString(), /<title>stand-in<\/title>/, "`root html` did not serve /etc/nginx/html");
    const asset = await get(port, "/assets/app.js", { "Accept-Encoding": "gzip" });
    assert.equal(asset.headers["content-encoding"], "gzip", "gzip_static did not serve app.js.gz");
    const wget = await docker(["exec", container, "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]);
    assert.equal(wget.code, 0, `the web image's HEALTHCHECK command fails: ${wget.stderr}`);
  });

  it("substitutes only variables defined in the environment, leaving nginx's own and undefined ones", async () => {
    // The undefined reference sits in a comment: left as is, nginx would read it as an unknown variable.
    const template =
      "# undefined=${STANDIN_UNDEFINED}\nserver {\n  listen ${NGINX_PORT};\n" +
      '  location / { default_type text/plain; return 200 "defined=${STANDIN_DEFINED} uri=$uri\\n"; }\n}\n';
    const container = await start(nginx, [...web, ...site(template), "-e", "NGINX_PORT=8080", "-e", "STANDIN_DEFINED=yes", "-p", "127.0.0.1::8080"]);
    await waitForLog(container, "start worker process");
    const answer = await get(await hostPort(container, 8080), "/probe");
    assert.equal(answer.body.toString(), "defined=yes uri=/probe\n", await diagnose(container));
    const rendered = await dockerOk(["exec", container, "cat", "/etc/nginx/conf.d/default.conf"]);
    assert.match(rendered, /^# undefined=\$\{STANDIN_UNDEFINED\}$/m);
    assert.match(rendered, /listen 8080;/);
    assert.match(await logs(container), /20-envsubst-on-templates\.sh: Running envsubst on \/etc\/nginx\/templates\/default\.conf\.template to \/etc\/nginx\/conf\.d\/default\.conf/);
  });

  it("runs the entrypoint's scripts only when the command is nginx", async () => {
    const template = "server { listen ${NGINX_PORT}; }\n";
    const result = await runOnce(nginx, [...web, ...site(template), "-e", "NGINX_PORT=8080"], ["sh", "-c", "ls /etc/nginx/conf.d"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "", "the template was rendered for a command other than nginx");
    assert.doesNotMatch(result.stdout + result.stderr, /docker-entrypoint/);
  });

  it("logs requests to stdout and errors to stderr", async () => {
    const template = "server {\n  listen ${NGINX_PORT};\n  root html;\n}\n";
    const container = await start(nginx, [...web, ...site(template), "-e", "NGINX_PORT=8080", "-p", "127.0.0.1::8080"]);
    await waitForLog(container, "start worker process");
    await get(await hostPort(container, 8080), "/missing-page");
    await waitFor(container, "access log line on stdout", async () => {
      const out = await docker(["logs", container]);
      return /"GET \/missing-page HTTP\/1\.1" 404/.test(out.stdout) && /open\(\) ".*missing-page" failed/.test(out.stderr);
    }, 10);
  });

  it("with a conf.d it cannot write, logs the entrypoint's error and still starts nginx, as the official image does", async () => {
    const template = "server { listen ${NGINX_PORT}; }\n";
    const container = await start(nginx, ["--user", "101", ...hardened, ...tmpfs("/tmp"), ...tmpfs("/etc/nginx/conf.d"), ...site(template), "-e", "NGINX_PORT=8080"]);
    await waitForLog(container, "start worker process");
    assert.match(await logs(container), /ERROR: \/etc\/nginx\/templates exists, but \/etc\/nginx\/conf\.d is not writable/);
  });

  it("shuts down gracefully on docker stop (SIGQUIT)", async () => {
    const container = await start(nginx, [...web]);
    await waitForLog(container, "start worker process");
    await dockerOk(["stop", "--time", "10", container]);
    assert.match(await logs(container), /signal 3 \(SIGQUIT\) received/, await diagnose(container));
  });
});

describe(`postgres stand-in (${postgres})`, function () {
  this.timeout(180_000);
  const password = "standin-Secret-1";

  /** psql from a separate container on the same network: a host connection, as the API makes. */
  function psqlFrom(net: string, host: string, user: string, secret: string, sql: string) {
    return runOnce(postgres, ["--network", net, "-e", `PGPASSWORD=${secret}`, "--entrypoint", "psql"], [
      "--host", host, "--username", user, "--dbname", "nexiom", "--no-psqlrc", "--tuples-only", "--no-align", "--command", sql,
    ]);
  }

  async function waitReady(container: string, user: string) {
    await waitFor(container, "pg_isready", async () => {
      const ready = await docker(["exec", container, "pg_isready", "--host=127.0.0.1", `--username=${user}`, "--dbname=nexiom"]);
      return ready.code === 0 && /PostgreSQL init process complete|Skipping initialization/.test(await logs(container));
    }, 90);
  }

  it("has user postgres with uid/gid 70, PGDATA as a VOLUME, the official directory modes, SIGINT and postgres as command", async () => {
    const config = await imageConfig(postgres);
    assert.deepEqual(Object.keys(config.Volumes ?? {}), ["/var/lib/postgresql/data"]);
    assert.equal(config.StopSignal, "SIGINT");
    assert.deepEqual(config.Cmd, ["postgres"]);
    const result = await runOnce(postgres, [], [
      "sh", "-c", "id postgres; stat -c '%n %a %U:%G' /var/lib/postgresql/data /var/run/postgresql; for t in pg_isready psql postgres; do command -v $t; done",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^uid=70\(postgres\) gid=70\(postgres\) groups=70\(postgres\)$/m);
    assert.match(result.stdout, /^\/var\/lib\/postgresql\/data 1777 postgres:postgres$/m);
    assert.match(result.stdout, /^\/var\/run\/postgresql 3777 postgres:postgres$/m);
    for (const tool of ["pg_isready", "psql", "postgres"]) assert.match(result.stdout, new RegExp(`^/\\S+/${tool}$`, "m"), `${tool} is not on PATH`);
  });

  it("initialises an empty volume as the dev stack runs it (user postgres, read-only root), accepts the password over TCP and refuses a wrong one", async () => {
    const net = await network();
    const data = await volume();
    const options = [
      "--network", net, "--network-alias", "db", "--user", "postgres", ...hardened,
      ...tmpfs("/var/run/postgresql"), ...tmpfs("/tmp"),
      "-e", `POSTGRES_PASSWORD=${password}`, "-e", "POSTGRES_USER=nexiom", "-e", "POSTGRES_DB=nexiom",
      "--mount", `type=volume,source=${data},target=/var/lib/postgresql/data`,
    ];
    const db = await start(postgres, options);
    await waitReady(db, "nexiom");
    assert.deepEqual(await pid1Ids(db), { uid: "70", gid: "70" });

    const ok = await psqlFrom(net, "db", "nexiom", password, "SELECT current_user || ' ' || current_setting('listen_addresses')");
    assert.equal(ok.code, 0, `login with the password failed: ${ok.stderr}\n${await diagnose(db)}`);
    assert.equal(ok.stdout.trim(), "nexiom *");

    const wrong = await psqlFrom(net, "db", "nexiom", "not-the-password", "SELECT 1");
    assert.notEqual(wrong.code, 0, "a wrong password was accepted over TCP");
    assert.match(wrong.stderr, /password authentication failed for user "nexiom"/);

    const stored = await psqlFrom(net, "db", "nexiom", password, "SELECT rolpassword LIKE 'SCRAM-SHA-256$%' FROM pg_authid WHERE rolname = 'nexiom'");
    assert.equal(stored.stdout.trim(), "t", "the password is not stored as SCRAM-SHA-256");
    const hba = await dockerOk(["exec", db, "sh", "-c", "grep -v '^#' \"$PGDATA/pg_hba.conf\" | grep -v '^$'"]);
    assert.match(hba, /^local\s+all\s+all\s+trust$/m);
    assert.match(hba, /^host all all all scram-sha-256$/m);

    // SIGINT: PostgreSQL's fast shutdown; then the volume is reused without a second initialisation.
    await dockerOk(["stop", "--time", "30", db]);
    assert.match(await logs(db), /received fast shutdown request/, await diagnose(db));
    const again = await start(postgres, options);
    await waitReady(again, "nexiom");
    assert.match(await logs(again), /Skipping initialization/);
    const still = await psqlFrom(net, "db", "nexiom", password, "SELECT 1");
    assert.equal(still.stdout.trim(), "1", still.stderr);
  });

  it("started as root, initialises as postgres, runs /docker-entrypoint-initdb.d and drops to uid 70", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "nexiom-standin-initdb-"));
    writeFileSync(path.join(dir, "10-table.sql"), "CREATE TABLE standin_probe (id int); INSERT INTO standin_probe VALUES (42);\n");
    writeFileSync(path.join(dir, "20-script.sh"), 'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "INSERT INTO standin_probe VALUES (43)"\n');
    chmodSync(dir, 0o755);
    const db = await start(postgres, [
      "-e", `POSTGRES_PASSWORD=${password}`, "-e", "POSTGRES_DB=nexiom",
      "-v", `${dir}:/docker-entrypoint-initdb.d:ro`,
    ]);
    await waitReady(db, "postgres");
    assert.deepEqual(await pid1Ids(db), { uid: "70", gid: "70" });
    const rows = await dockerOk(["exec", db, "psql", "--username", "postgres", "--dbname", "nexiom", "--tuples-only", "--no-align", "--command", "SELECT string_agg(id::text, ',' ORDER BY id) FROM standin_probe"]);
    assert.equal(rows.trim(), "42,43");
    const owner = await dockerOk(["exec", db, "stat", "-c", "%U %a", "/var/lib/postgresql/data"]);
    assert.equal(owner.trim(), "postgres 700");
  });

  it("refuses to initialise without POSTGRES_PASSWORD, saying what to set", async () => {
    const result = await runOnce(postgres, ["--user", "postgres", "--tmpfs", "/var/lib/postgresql/data:uid=70,gid=70"]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /You must specify POSTGRES_PASSWORD to a non-empty value/);
  });
});

describe(`valkey stand-in (${valkey})`, function () {
  this.timeout(120_000);
  const secret = "standin-Cache-1";
  /** The dev stack's cache container: its user, command and environment (components/cache/docker.ts). */
  const asTheProductRunsIt = [
    "--user", "valkey", ...hardened, "-e", `REDIS_PASSWORD=${secret}`,
  ];
  const productCommand = ["sh", "-c", 'exec valkey-server --requirepass "$REDIS_PASSWORD" --save "" --appendonly no'];

  it("has user valkey (uid 999, gid 1000), WORKDIR and VOLUME /data, port 6379 and valkey-server as command", async () => {
    const config = await imageConfig(valkey);
    assert.equal(config.WorkingDir, "/data");
    assert.deepEqual(Object.keys(config.Volumes ?? {}), ["/data"]);
    assert.deepEqual(Object.keys(config.ExposedPorts ?? {}), ["6379/tcp"]);
    assert.deepEqual(config.Cmd, ["valkey-server"]);
    const result = await runOnce(valkey, [], ["sh", "-c", "id valkey; stat -c '%U %G' /data; command -v valkey-server valkey-cli"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^uid=999\(valkey\) gid=1000\(valkey\)/m);
    assert.match(result.stdout, /^valkey valkey$/m);
  });

  it("answers the product's health check with the password and refuses commands without it", async () => {
    const cache = await start(valkey, asTheProductRunsIt, productCommand);
    await waitForLog(cache, /Ready to accept connections/);
    const health = await docker(["exec", cache, "sh", "-c", 'REDISCLI_AUTH="$REDIS_PASSWORD" valkey-cli ping | grep -q PONG']);
    assert.equal(health.code, 0, `the dev stack's health check fails:\n${await diagnose(cache)}`);
    const anonymous = await dockerOk(["exec", cache, "valkey-cli", "ping"]);
    assert.match(anonymous, /NOAUTH/);
    const wrong = await docker(["exec", "-e", "REDISCLI_AUTH=wrong", cache, "valkey-cli", "ping"]);
    assert.match(wrong.stdout + wrong.stderr, /WRONGPASS|invalid password/);
    assert.doesNotMatch(wrong.stdout, /PONG/, "a wrong password was accepted");
    assert.deepEqual(await pid1Ids(cache), { uid: "999", gid: "1000" });
  });

  it("is reachable from another container with AUTH (protected mode does not get in the way)", async () => {
    const net = await network();
    const cache = await start(valkey, [...asTheProductRunsIt, "--network", net, "--network-alias", "cache"], productCommand);
    await waitForLog(cache, /Ready to accept connections/);
    const remote = await runOnce(valkey, ["--network", net, "-e", `REDISCLI_AUTH=${secret}`], ["valkey-cli", "-h", "cache", "set", "probe", "42"]);
    assert.equal(remote.stdout.trim(), "OK", remote.stderr);
    const open = await start(valkey, ["--network", net, "--network-alias", "open"]);
    await waitForLog(open, /Ready to accept connections/);
    const noPassword = await runOnce(valkey, ["--network", net], ["valkey-cli", "-h", "open", "ping"]);
    assert.equal(noPassword.stdout.trim(), "PONG", `protected mode refused a container without a password set: ${noPassword.stdout}`);
  });

  it("runs a first argument that is a flag with valkey-server, and drops from root to valkey", async () => {
    const version = await runOnce(valkey, [], ["--version"]);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /server v=\d+\.\d+\.\d+/);
    const root = await start(valkey, [], ["--save", "", "--appendonly", "no"]);
    await waitForLog(root, /Ready to accept connections/);
    assert.deepEqual(await pid1Ids(root), { uid: "999", gid: "1000" });
  });

  it("shuts down on docker stop (SIGTERM)", async () => {
    const cache = await start(valkey, asTheProductRunsIt, productCommand);
    await waitForLog(cache, /Ready to accept connections/);
    await dockerOk(["stop", "--time", "10", cache]);
    assert.match(await logs(cache), /Received SIGTERM scheduling shutdown/, await diagnose(cache));
  });
});
