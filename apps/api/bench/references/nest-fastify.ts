/**
 * Reference: the least a NestJS app on Fastify does. Nest 12 and its Fastify adapter at the API's own
 * versions, one controller answering /api/health, no logger, no database, bundled and started the way
 * the API's image is (bench/anchors.ts). No NestJS app can start sooner or answer faster than this.
 */
import "reflect-metadata";
import { Controller, Get, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { fillCompileCache, fillCompileCacheFlag } from "../../src/compile-cache.js";

@Controller("api")
class HealthController {
  @Get("health")
  health() {
    return { status: "ok" };
  }
}

@Module({ controllers: [HealthController] })
class ReferenceModule {}

async function start(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(ReferenceModule, new FastifyAdapter(), { logger: false });
  await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
}

if (process.argv.includes(fillCompileCacheFlag)) {
  process.exitCode = fillCompileCache();
} else {
  process.on("SIGTERM", () => process.exit(0));
  void start();
}
