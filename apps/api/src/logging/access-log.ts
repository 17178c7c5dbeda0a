import { LogController, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { livenessPath } from "../health/liveness.js";

/** Health probes are most of the traffic a task sees: they are logged only at debug unless they fail. */
const probePaths = new Set([livenessPath, "/api/ready"]);

/**
 * One access-log line per request, when it completes, instead of Fastify's two (incoming and
 * completed). It carries the client IP as resolved through trusted proxies, never headers or bodies.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const failed = error || reply.statusCode === 500;
    const level = failed ? "error" : reply.statusCode >= 500 ? "warn" : probePaths.has(request.url) && reply.statusCode < 400 ? "debug" : "info";
    // Decided before the line is built: request.ip walks the trusted proxies, which a probe logged at debug need not pay for.
    if (!(reply.log as Logger).isLevelEnabled(level)) return;
    const line = {
      request: { method: request.method, url: request.url, ip: request.ip },
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
      ...(error ? { err: error } : {}),
    };
    reply.log[level](line, failed ? "request failed" : "request completed");
  }
}
