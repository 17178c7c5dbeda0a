import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { fieldErrorsFrom } from "../src/api";
import { stack } from "./hooks";
import { http, json } from "./support/http";
import { assembleRunner, webDir } from "./support/image";
import { fillTemplates, startNginx, testConfig, writeMainConf } from "./support/nginx";
import { freePort } from "./support/process";

const indexHtml = () => readFileSync(join(webDir, "dist/index.html"), "utf8");
/** The JS files index.html loads: `<script type="module" src>` and modulepreload links. */
const initialScripts = () =>
  [...indexHtml().matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)].map((m) => m[1]!);

const securityHeaders = {
  "content-security-policy": /(^|;\s*)default-src 'self'/,
  "x-content-type-options": /^nosniff$/,
  "x-frame-options": /^DENY$/,
  "referrer-policy": /^strict-origin-when-cross-origin$/,
};

function assertSecurityHeaders(headers: Record<string, string | string[] | undefined>, what: string) {
  for (const [name, pattern] of Object.entries(securityHeaders)) {
    const value = headers[name];
    assert.equal(typeof value, "string", `${what}: ${name} missing or repeated (${JSON.stringify(value)})`);
    assert.match(value as string, pattern, `${what}: ${name}`);
  }
  const csp = headers["content-security-policy"] as string;
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP forbids framing`);
  assert.match(csp, /script-src 'self'(;|$)/, `${what}: CSP allows only same-origin scripts, no inline ones`);
}

describe("nginx serving the runner image's files", () => {
  it("the filled config passes nginx -t", async () => {
    const output = await testConfig(stack().root);
    assert.match(output, /test is successful/);
  });

  it("the template is filled from the environment, leaving nginx's own variables alone", () => {
    const conf = readFileSync(stack().conf, "utf8");
    assert.doesNotMatch(conf, /\$\{[A-Z_]+\}/, "a ${VARIABLE} was left unfilled");
    assert.match(conf, new RegExp(`server 127\\.0\\.0\\.1:${stack().api.port};`));
    assert.match(conf, /try_files \$uri \/index\.html;/);
    assert.match(conf, /proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
  });

  it("the runner stage copies the build into nginx's html root and the template into templates/", () => {
    const { runner } = stack();
    assert.deepEqual(
      runner.copies.map((c) => [c.from ?? "context", c.destination]),
      [
        ["builder", "/etc/nginx/html"],
        ["builder", "/etc/nginx/templates/default.conf.template"],
      ],
    );
    assert.equal(readFileSync(join(stack().root, "etc/nginx/html/index.html"), "utf8"), indexHtml());
  });

  it("a deep link (/notes/42) loaded directly returns the app's index.html", async () => {
    const response = await http(`${stack().url}/notes/42`);
    assert.equal(response.status, 200);
    assert.match(String(response.headers["content-type"]), /^text\/html/);
    assert.equal(response.text(), indexHtml());
  });

  it("index.html is never served from cache without revalidation", async () => {
    for (const path of ["/", "/index.html", "/notes/42"]) {
      const response = await http(`${stack().url}${path}`);
      assert.equal(response.headers["cache-control"], "no-cache", path);
    }
  });

  it("fingerprinted JS is cached for a year and marked immutable", async () => {
    const scripts = initialScripts();
    assert.ok(scripts.length > 0, "index.html loads no script");
    for (const script of scripts) {
      assert.match(script, /^\/assets\/.+-[\w-]{8,}\.js$/, "asset names carry a content hash");
      const response = await http(`${stack().url}${script}`);
      assert.equal(response.status, 200, script);
      assert.match(String(response.headers["content-type"]), /javascript/);
      assert.equal(response.headers["cache-control"], "public, max-age=31536000, immutable");
    }
  });

  it("a missing asset is a 404, neither index.html nor cached", async () => {
    const response = await http(`${stack().url}/assets/missing-0123abcd.js`);
    assert.equal(response.status, 404);
    assert.doesNotMatch(response.text(), /<div id="root">/);
    assert.equal(response.headers["cache-control"], undefined);
  });

  it("JS is gzipped when the browser accepts it, and the cache is told so", async () => {
    const script = initialScripts()[0]!;
    const original = readFileSync(join(webDir, "dist", script));
    const response = await http(`${stack().url}${script}`, { headers: { "accept-encoding": "gzip" } });
    assert.equal(response.headers["content-encoding"], "gzip");
    assert.match(String(response.headers.vary), /Accept-Encoding/);
    assert.ok(response.body.length < original.length / 2, "compressed to less than half");
    assert.deepEqual(gunzipSync(response.body), original);
  });

  it("JS is served precompressed: the build's -9 .gz file itself, not compressed again per request", async () => {
    const script = initialScripts()[0]!;
    const response = await http(`${stack().url}${script}`, { headers: { "accept-encoding": "gzip" } });
    assert.deepEqual(response.body, readFileSync(join(webDir, "dist", `${script}.gz`)));
  });

  it("JS is sent as is to a client that does not accept gzip", async () => {
    const script = initialScripts()[0]!;
    const response = await http(`${stack().url}${script}`);
    assert.equal(response.headers["content-encoding"], undefined);
    assert.deepEqual(response.body, readFileSync(join(webDir, "dist", script)));
  });

  it("security headers are on the HTML, an asset, a proxied API response and a 404, once each", async () => {
    const cases = {
      "index.html": "/notes/42",
      asset: initialScripts()[0]!,
      "proxied API response": "/api/health",
      "proxied API 404": "/api/notes/00000000-0000-4000-8000-000000000000",
      "nginx 404": "/assets/missing-0123abcd.js",
    };
    for (const [what, path] of Object.entries(cases)) {
      const response = await http(`${stack().url}${path}`);
      assertSecurityHeaders(response.headers, `${what} (${path}, ${response.status})`);
    }
  });

  it("the Server header does not give nginx's version", async () => {
    const response = await http(`${stack().url}/`);
    assert.equal(response.headers.server, "nginx");
  });

  it("HSTS is sent only when the request came over HTTPS (X-Forwarded-Proto from the load balancer)", async () => {
    const plain = await http(`${stack().url}/`);
    assert.equal(plain.headers["strict-transport-security"], undefined);
    const tls = await http(`${stack().url}/`, { headers: { "x-forwarded-proto": "https" } });
    assert.equal(tls.headers["strict-transport-security"], "max-age=31536000");
  });

  it("/healthz answers 200 and is not written to the access log", async () => {
    const response = await http(`${stack().url}/healthz`);
    assert.equal(response.status, 200);
    await http(`${stack().url}/index.html?after-healthz`);
    const log = stack().nginx.accessLog();
    assert.match(log, /after-healthz/, "the access log is written at all");
    assert.doesNotMatch(log, /\/healthz/);
  });
});

describe("/api/ through nginx to the real API", () => {
  it("/api/health is proxied and answers 200", async () => {
    const response = await http(`${stack().url}/api/health`);
    assert.equal(response.status, 200);
    assert.match(String(response.headers["content-type"]), /application\/json/);
  });

  it("a caller's X-Request-Id reaches the API, which echoes it", async () => {
    const response = await http(`${stack().url}/api/health`, { headers: { "x-request-id": "web-test-4711" } });
    assert.equal(response.headers["x-request-id"], "web-test-4711");
  });

  it("without one, nginx gives the API a request id of its own", async () => {
    const response = await http(`${stack().url}/api/health`);
    assert.match(String(response.headers["x-request-id"]), /^[0-9a-f]{32}$/, "nginx's $request_id, not the API's UUID");
  });

  it("a note created through nginx is read back through nginx", async () => {
    const created = await json(`${stack().url}/api/notes`, "POST", { title: "Through nginx", body: "proxied" });
    assert.equal(created.status, 201, created.text());
    const note = JSON.parse(created.text()) as { id: string };
    const read = await http(`${stack().url}/api/notes/${note.id}`);
    assert.equal(read.status, 200);
    assert.equal((JSON.parse(read.text()) as { title: string }).title, "Through nginx");
  });

  it("the API's 400 body is turned into messages next to the fields it names", async () => {
    const response = await json(`${stack().url}/api/notes`, "POST", { title: "   ", body: 42 });
    assert.equal(response.status, 400);
    const errors = fieldErrorsFrom(JSON.parse(response.text()));
    assert.match(errors.title?.join(" ") ?? "", /^Title .*1 to 200 characters/);
    assert.match(errors.body?.join(" ") ?? "", /^Body /);
  });

  it("a body over 300 KiB is refused by nginx with a JSON 413 before it reaches the API", async () => {
    const response = await json(`${stack().url}/api/notes`, "POST", { title: "big", body: "x".repeat(310 * 1024) });
    assert.equal(response.status, 413);
    assert.match(String(response.headers["content-type"]), /application\/json/);
    assert.equal((JSON.parse(response.text()) as { statusCode: number }).statusCode, 413);
    assertSecurityHeaders(response.headers, "413");
  });

  it("the largest note the field rules allow passes nginx whatever its characters: 50,000 of them, each a 6-byte JSON escape", async () => {
    const body = "\u0001".repeat(50_000);
    assert.ok(JSON.stringify(body).length > 300_000, "the worst case is what is sent");
    const response = await json(`${stack().url}/api/notes`, "POST", { title: "\u0001".repeat(200), body });
    assert.equal(response.status, 201, response.text().slice(0, 300));
  });
});

describe("nginx when the API is down", () => {
  let root: string;
  let stop: (() => Promise<void>) | undefined;
  let url: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "nexiom-web-down-"));
    const runner = assembleRunner(root);
    const port = await freePort();
    const closed = await freePort();
    await fillTemplates(root, { PATH: "/usr/bin:/bin", ...runner.env, NGINX_PORT: String(port), API_UPSTREAM: `127.0.0.1:${closed}` });
    writeMainConf(root);
    const nginx = await startNginx(root, port);
    stop = nginx.stop;
    url = nginx.url;
  });

  after(async () => {
    await stop?.();
    rmSync(root, { recursive: true, force: true });
  });

  it("still serves the app", async () => {
    const response = await http(`${url}/notes/42`);
    assert.equal(response.status, 200);
  });

  it("answers /api/ with a JSON 503 that carries the security headers", async () => {
    const response = await http(`${url}/api/notes`);
    assert.equal(response.status, 503);
    assert.match(String(response.headers["content-type"]), /application\/json/);
    assert.equal((JSON.parse(response.text()) as { statusCode: number }).statusCode, 503);
    assertSecurityHeaders(response.headers, "503");
  });
});
