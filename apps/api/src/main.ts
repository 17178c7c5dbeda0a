import "reflect-metadata";
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { NestFactory } from "@nestjs/core";
import type { FastifyBaseLogger } from "fastify";
import type { Logger } from "pino";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { AppModule } from "./app.module.js";
import { fillCompileCache, fillCompileCacheFlag } from "./compile-cache.js";
import { loadConfig, type AppConfig } from "./config/app-config.js";
import { ConfigError } from "./config/env.schema.js";
import { BadRequestException } from "@nestjs/common";
import { clientErrorHandler } from "./common/client-errors.js";
import { ConnectionRequests } from "./common/connection-requests.js";
import { frameworkErrorHandler } from "./common/framework-errors.js";
import { HttpErrorFilter } from "./common/http-error.filter.js";
import { strictUtf8JsonParser } from "./common/json-body-parser.js";
import { drainKeepAliveOnClose } from "./common/keep-alive-drain.js";
import { registerLiveness } from "./health/liveness.js";
import { AccessLog } from "./logging/access-log.js";
import { bodyLimitBytes } from "./notes/dto/note-fields.js";
import { createLogger, LazyChildLogger, NestPinoLogger } from "./logging/logger.js";

/** Honour a caller's request id when it is a plain token, so one id follows a request through nginx and the API. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID();
}

/** RFC 9112 §3.2: a request with more than one Host is a 400. Node keeps the first one and drops the others silently. */
function hostCount(request: IncomingMessage): number {
  let count = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) if (request.rawHeaders[i].toLowerCase() === "host") count += 1;
  return count;
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
  const accessLog = new AccessLog({ requestIdLogLabel: "requestId" });
  const connections = new ConnectionRequests();
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: accessLog,
    frameworkErrors: frameworkErrorHandler(accessLog),
    clientErrorHandler: clientErrorHandler(connections, logger),
    requestIdHeader: false,
    genReqId: requestId,
    // The parent is the pino logger above; Fastify's types only know it as its base logger interface.
    childLoggerFactory: (parent: FastifyBaseLogger, bindings: Record<string, unknown>, options: object) =>
      new LazyChildLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger,
    bodyLimit: bodyLimitBytes,
    // nginx and the ALB append the client to X-Forwarded-For; trust exactly that many hops so a client cannot pick its own IP.
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    // Requests arriving on kept-alive connections during shutdown are served, not refused with 503: see drainKeepAliveOnClose.
    return503OnClosing: false,
    // No Nest middleware here: without middie, its onRequest hook does not run on every request. A
    // middleware added later needs middie registered first: Fastify's use() refuses it without
    // (FST_ERR_MISSING_MIDDLEWARE).
    skipMiddie: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new NestPinoLogger(logger),
  });
  app.setGlobalPrefix("api");
  app.useGlobalFilters(new HttpErrorFilter());

  const fastify = app.getHttpAdapter().getInstance();
  connections.attach(fastify);
  // One hook for the API's own checks: each hook costs every request a step of Fastify's hook runner.
  fastify.addHook("onRequest", (request, reply, done) => {
    if (connections.dropIfClosing(request, reply)) return;
    void reply.header("x-request-id", request.id);
    done(hostCount(request.raw) > 1 ? new BadRequestException("the request has more than one Host header") : undefined);
  });
  registerLiveness(fastify);
  app.useBodyParser("application/json", { bodyLimit: bodyLimitBytes }, strictUtf8JsonParser(fastify));
  drainKeepAliveOnClose(fastify, connections);

  // On SIGTERM Nest runs the shutdown hooks: stop accepting, let in-flight requests finish, close the
  // pg pool and Redis, then exit 0 (useProcessExit) rather than re-raising the signal.
  app.enableShutdownHooks(["SIGTERM", "SIGINT"], { useProcessExit: true });
  await app.listen({ port: config.port, host: config.host });
  logger.info({ port: config.port, host: config.host }, "listening");
}

if (process.argv.includes(fillCompileCacheFlag)) {
  process.exitCode = fillCompileCache();
} else {
  bootstrap().catch((error: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: "fatal", msg: "boot failed", err: String((error as Error)?.stack ?? error) })}\n`);
    process.exit(1);
  });
}
