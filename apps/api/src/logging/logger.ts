import type { LoggerService } from "@nestjs/common";
import { pino, type Logger } from "pino";
import type { LogLevel } from "../config/env.schema.js";

/**
 * Paths pino replaces with "[redacted]". The access log never prints headers or bodies, so these
 * are a second line of defence for anything that logs a request, an error or a config object.
 */
export const redactedPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "password",
  "*.password",
  "*.*.password",
  "DATABASE_PASSWORD",
  "REDIS_PASSWORD",
  "*.DATABASE_PASSWORD",
  "*.REDIS_PASSWORD",
];

/** One JSON line per event on stdout, synchronous so that nothing is lost when the process exits. */
export function createLogger(level: LogLevel, destination = pino.destination({ fd: 1, sync: true })): Logger {
  return pino(
    {
      level,
      base: { service: "nexiom-api" },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactedPaths, censor: "[redacted]" },
    },
    destination,
  );
}

/** Routes Nest's own messages (boot, route mapping, unhandled errors) into the same JSON stream. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write("info", message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write("error", message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write("warn", message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write("debug", message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write("trace", message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write("fatal", message, rest);
  }

  /** Nest passes the context last and, for errors, the stack before it. */
  private write(level: "fatal" | "error" | "warn" | "info" | "debug" | "trace", message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = typeof rest.at(-1) === "string" ? (rest.at(-1) as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === "string" ? rest[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === "object" && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context, stack }, String(message));
  }
}
