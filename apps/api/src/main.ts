import "reflect-metadata";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { NestFactory } from "@nestjs/core";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { AppModule } from "./app.module.js";
import { loadConfig, type AppConfig } from "./config/app-config.js";
import { ConfigError } from "./config/env.schema.js";
import { HttpErrorFilter } from "./common/http-error.filter.js";
import { strictUtf8JsonParser } from "./common/json-body-parser.js";
import { drainKeepAliveOnClose } from "./common/keep-alive-drain.js";
import { AccessLog } from "./logging/access-log.js";
import { createLogger, NestPinoLogger } from "./logging/logger.js";

/** Larger bodies get 413 before they are read into memory; a note is at most about 50 KB of text. */
export const bodyLimitBytes = 64 * 1024;

/** Honour a caller's request id when it is a plain token, so one id follows a request through nginx and the API. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
}

function configOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new AccessLog({ requestIdLogLabel: "requestId" }),
    requestIdHeader: false,
    genReqId: requestId,
    bodyLimit: bodyLimitBytes,
    // nginx and the ALB append the client to X-Forwarded-For; trust exactly that many hops so a client cannot pick its own IP.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    // Requests arriving on kept-alive connections during shutdown are served, not refused with 503: see drainKeepAliveOnClose.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new NestPinoLogger(logger),
  });
  app.setGlobalPrefix("api");
  app.useGlobalFilters(new HttpErrorFilter());

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook("onRequest", (request, reply, done) => {
    void reply.header("x-request-id", request.id);
    done();
  });
  app.useBodyParser("application/json", { bodyLimit: bodyLimitBytes }, strictUtf8JsonParser(fastify));
  drainKeepAliveOnClose(fastify);

  // On SIGTERM Nest runs the shutdown hooks: stop accepting, let in-flight requests finish, close the
  // pg pool and Redis, then exit 0 (useProcessExit) rather than re-raising the signal.
  app.enableShutdownHooks(["SIGTERM", "SIGINT"], { useProcessExit: true });
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, host: config.host }, "listening");
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: "fatal", msg: "boot failed", err: String((error as Error)?.stack ?? error) })}\n`);
  process.exit(1);
});
