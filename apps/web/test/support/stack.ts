import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApi, createDatabase, startApi, startRedis, type Api } from "./api";
import { assembleRunner, type Stage } from "./image";
import { fillTemplates, startNginx, writeMainConf, type Nginx } from "./nginx";
import { freePort } from "./process";

/** The web image as the tests run it: the runner stage's files, served by nginx, in front of a real API. */
export interface Stack {
  /** nginx, as the browser sees it. */
  url: string;
  /** The API directly, bypassing nginx. */
  api: Api;
  nginx: Nginx;
  /** The folder standing for the runner image's filesystem. */
  root: string;
  runner: Stage;
  /** The filled /etc/nginx/conf.d/default.conf. */
  conf: string;
  stop: () => Promise<void>;
}

/**
 * Builds and starts everything; what was started is stopped again if a later step fails.
 * The web build itself is the `test` script's first step (`pnpm run build`).
 */
export async function startStack(): Promise<Stack> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    await buildApi();
    const database = await createDatabase();
    cleanups.push(database.drop);
    const redis = await startRedis();
    cleanups.push(() => redis.child.stop());
    const api = await startApi({ database: database.name, redisPort: redis.port });
    cleanups.push(() => api.child.stop());

    const root = mkdtempSync(join(tmpdir(), "nexiom-web-image-"));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const runner = assembleRunner(root);
    const port = await freePort();
    const [conf] = await fillTemplates(root, {
      // What the container's environment holds: the image's ENV, then the platform's values.
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      HOSTNAME: "web",
      HOME: "/",
      ...runner.env,
      NGINX_PORT: String(port),
      API_UPSTREAM: `127.0.0.1:${api.port}`,
    });
    if (!conf) throw new Error("the runner stage copies no nginx template");
    writeMainConf(root);
    const nginx = await startNginx(root, port);
    cleanups.push(() => nginx.stop());
    return { url: nginx.url, api, nginx, root, runner, conf, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
