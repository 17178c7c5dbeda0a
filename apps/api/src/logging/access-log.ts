import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

/** Health probes are most of the traffic a task sees: they are logged only at debug unless they fail. */
const probePaths = new Set(["/api/health", "/api/ready"]);

/**
 * One access-log line per request, when it completes, instead of Fastify's two (incoming and
 * completed). It carries the client IP as resolved through trusted proxies, never headers or bodies.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      request: { method: request.method, url: request.url, ip: request.ip },
      statusCode: reply.statusCode,
      responseTime: Math.round(reply.elapsedTime * 10) / 10,
      ...(error ? { err: error } : {}),
    };
    if (error || reply.statusCode === 500) reply.log.error(line, "request failed");
    else if (reply.statusCode >= 500) reply.log.warn(line, "request completed");
    else if (probePaths.has(request.url) && reply.statusCode < 400) reply.log.debug(line, "request completed");
    else reply.log.info(line, "request completed");
  }
}
