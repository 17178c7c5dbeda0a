import { STATUS_CODES } from "node:http";
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from "@nestjs/common";
import { ThrottlerException } from "@nestjs/throttler";
import type { FastifyReply, FastifyRequest } from "fastify";
import { DependencyUnavailableException, type Dependency } from "./dependency-unavailable.js";
import type { FieldIssue } from "./zod-validation.pipe.js";

/** The body of every error response. */
export interface ErrorBody {
  statusCode: number;
  /** The HTTP reason phrase, e.g. "Bad Request". */
  error: string;
  /** What went wrong, for a person; for validation, each field and what it must be. */
  message: string;
  /** Validation errors only: one entry per offending field. */
  issues?: FieldIssue[];
  /** 503s only: the dependency that could not serve the request. */
  dependency?: Dependency;
}

/** The body every error answer carries, whoever writes it: this filter, Fastify's router, or the raw socket. */
export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? "Error", message };
}

function isShapedBody(response: string | object): boolean {
  return typeof response === "object" && "details" in response && "status" in response;
}

function describe(exception: unknown): { statusCode: number; message: string; issues?: FieldIssue[] } {
  if (exception instanceof ThrottlerException) {
    return { statusCode: 429, message: "too many writes from this client; retry after the number of seconds in Retry-After" };
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === "string") return { statusCode: exception.getStatus(), message: response };
    const { message, issues } = response as { message?: unknown; issues?: FieldIssue[] };
    return {
      statusCode: exception.getStatus(),
      message: Array.isArray(message) ? message.join("; ") : String(message ?? exception.message),
      ...(issues ? { issues } : {}),
    };
  }
  // Errors Fastify raises before a route runs (malformed JSON, body too large, unsupported media type) carry their 4xx.
  const statusCode = (exception as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) {
    return { statusCode, message: (exception as Error).message };
  }
  return { statusCode: 500, message: "internal server error" };
}

/** One error shape for every failure, and a log line with the stack for the ones that are our fault. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // Terminus's readiness body (status, info, error, details) is already the documented shape: keep it.
    if (exception instanceof HttpException && isShapedBody(exception.getResponse())) {
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    }
    const described = describe(exception);
    if (!(exception instanceof HttpException) && described.statusCode >= 500) request.log.error({ err: exception }, "unhandled error");
    // The driver's error (addresses, SQL states) goes to the log, never to the client.
    const dependency = exception instanceof DependencyUnavailableException ? exception.dependency : undefined;
    if (exception instanceof DependencyUnavailableException) request.log.warn({ dependency, err: exception.cause }, exception.message);
    const body: ErrorBody = {
      ...errorBody(described.statusCode, described.message),
      ...(described.issues ? { issues: described.issues } : {}),
      ...(dependency ? { dependency } : {}),
    };
    void reply.status(described.statusCode).send(body);
  }
}
