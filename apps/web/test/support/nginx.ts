import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join, relative } from "node:path";
import { http } from "./http";
import { run, start, waitFor, type Child } from "./process";

export const nginxBinary = "/usr/sbin/nginx";

/** nginx's prefix in the official images; the template's relative paths resolve against it. */
const prefix = "etc/nginx";

/**
 * What the official image's /docker-entrypoint.d/20-envsubst-on-templates.sh does: every
 * /etc/nginx/templates/**\/*.template becomes the same path under /etc/nginx/conf.d without
 * the suffix, through `envsubst` limited to the variables defined in the environment. Returns
 * the written files.
 */
export async function fillTemplates(root: string, env: Record<string, string>): Promise<string[]> {
  const templates = join(root, prefix, "templates");
  const output = join(root, prefix, "conf.d");
  const defined = Object.keys(env)
    .map((name) => `\${${name}}`)
    .join(" ");
  const written: string[] = [];
  for (const file of readdirSync(templates, { recursive: true, encoding: "utf8" })) {
    if (!file.endsWith(".template")) continue;
    const target = join(output, file.slice(0, -".template".length));
    mkdirSync(dirname(target), { recursive: true });
    const filled = await run("/usr/bin/envsubst", [defined], { env, input: readFileSync(join(templates, file), "utf8") });
    writeFileSync(target, filled);
    written.push(target);
  }
  return written;
}

/**
 * The top-level nginx.conf, standing in for the image's own (nginx-unprivileged's nginx.conf:
 * worker_processes auto, the `main` access log on every request, sendfile, keepalive_timeout
 * 65) with its temp paths and logs under a writable folder, for Debian's nginx running as the
 * current user in the foreground. The image's access log is /dev/stdout; a file here costs
 * nginx the same one write per request.
 */
export function writeMainConf(root: string): string {
  const etc = join(root, prefix);
  const run = join(root, "tmp");
  mkdirSync(run, { recursive: true });
  const user = userInfo();
  const conf = join(etc, "nginx.conf");
  writeFileSync(
    conf,
    `# Test stand-in for the nginx image's /etc/nginx/nginx.conf.
${user.uid === 0 ? "user root;  # workers keep the test's user instead of switching to nobody\n" : ""}worker_processes auto;
daemon off;
pid ${run}/nginx.pid;
error_log ${run}/error.log notice;
events { worker_connections 1024; }
http {
    client_body_temp_path ${run}/client_temp;
    proxy_temp_path ${run}/proxy_temp;
    fastcgi_temp_path ${run}/fastcgi_temp;
    uwsgi_temp_path ${run}/uwsgi_temp;
    scgi_temp_path ${run}/scgi_temp;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" '
                    '"$http_user_agent" "$http_x_forwarded_for"';
    access_log ${run}/access.log main;
    sendfile on;
    keepalive_timeout 65;
    include conf.d/*.conf;
}
`,
  );
  return conf;
}

function nginxArgs(root: string): string[] {
  return ["-p", `${join(root, prefix)}/`, "-c", join(root, prefix, "nginx.conf"), "-e", join(root, "tmp", "error.log")];
}

/** `nginx -t` on the assembled files; resolves with its output, rejects when it fails. */
export function testConfig(root: string): Promise<string> {
  return run(nginxBinary, [...nginxArgs(root), "-t"]);
}

export interface Nginx {
  url: string;
  child: Child;
  errorLog: () => string;
  accessLog: () => string;
  stop: () => Promise<void>;
}

/** Starts nginx on `port` and waits until /healthz answers. */
export async function startNginx(root: string, port: number): Promise<Nginx> {
  const child = start(nginxBinary, nginxArgs(root));
  const url = `http://127.0.0.1:${port}`;
  const read = (name: string) => () => {
    try {
      return readFileSync(join(root, "tmp", name), "utf8");
    } catch {
      return "";
    }
  };
  await waitFor(`nginx on ${url} (${relative(process.cwd(), root)})`, async () => (await http(`${url}/healthz`)).status === 200, child);
  // SIGQUIT: graceful shutdown, as the image's STOPSIGNAL.
  return { url, child, errorLog: read("error.log"), accessLog: read("access.log"), stop: () => child.stop("SIGQUIT") };
}
