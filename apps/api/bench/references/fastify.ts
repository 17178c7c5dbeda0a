/**
 * Reference: Fastify alone, at the API's version, one route answering /api/health, no logger, bundled
 * and started the way the API's image is (bench/anchors.ts). What the API would cost without NestJS.
 */
import Fastify from "fastify";
import { fillCompileCache, fillCompileCacheFlag } from "../../src/compile-cache.js";

if (process.argv.includes(fillCompileCacheFlag)) {
  process.exitCode = fillCompileCache();
} else {
  process.on("SIGTERM", () => process.exit(0));
  const app = Fastify({ logger: false });
  app.get("/api/health", async () => ({ status: "ok" }));
  void app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
}
