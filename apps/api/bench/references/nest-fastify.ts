/**
 * Reference: the least a NestJS app on Fastify does per request. Nest 12 and its Fastify adapter at the
 * API's own versions, no logger, no database, and /api/health registered on Fastify as the API registers
 * its own (src/health/liveness.ts): behind every hook Nest's adapter adds, but outside Nest's router.
 * Bundled and started the way the API's image is (bench/anchors.ts). What the API costs above this is
 * the cost of its own behaviours: request ids, access log, host check, drain.
 */
import "reflect-metadata";
import { Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { fillCompileCache, fillCompileCacheFlag } from "../../src/compile-cache.js";

@Module({})
class ReferenceModule {}

async function start(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(ReferenceModule, new FastifyAdapter(), { logger: false });
  app.getHttpAdapter().getInstance().get("/api/health", async () => ({ status: "ok" }));
  await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
}

if (process.argv.includes(fillCompileCacheFlag)) {
  process.exitCode = fillCompileCache();
} else {
  process.on("SIGTERM", () => process.exit(0));
  void start();
}
