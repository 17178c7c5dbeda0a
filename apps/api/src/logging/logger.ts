import type { LoggerService } from "@nestjs/common";
import { pino, type Level, type Logger } from "pino";
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
  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = typeof rest.at(-1) === "string" ? (rest.at(-1) as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === "string" ? rest[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === "object" && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context, stack }, String(message));
  }
}

/**
 * The per-request logger Fastify asks for on every request (as its childLoggerFactory), made only when a
 * line is actually written. pino's child() serialises its bindings through the redaction paths, which
 * was about a tenth of a request's CPU in a profile of /api/health, where the probe's own line is at
 * debug and most requests log one line or none. Lines written are the same as the real child's.
 */
export class LazyChildLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
    private readonly options: object,
  ) {}

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return (this.made ?? this.parent).isLevelEnabled(level);
  }

  child(bindings: Record<string, unknown>, options?: Record<string, unknown>): Logger {
    return this.real().child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    this.write("fatal", args);
  }
  error(...args: unknown[]): void {
    this.write("error", args);
  }
  warn(...args: unknown[]): void {
    this.write("warn", args);
  }
  info(...args: unknown[]): void {
    this.write("info", args);
  }
  debug(...args: unknown[]): void {
    this.write("debug", args);
  }
  trace(...args: unknown[]): void {
    this.write("trace", args);
  }
  silent(): void {}

  private write(level: Level, args: unknown[]): void {
    if (!this.isLevelEnabled(level)) return;
    (this.real()[level] as (...values: unknown[]) => void)(...args);
  }

  private real(): Logger {
    return (this.made ??= Object.keys(this.options).length ? this.parent.child(this.bindings, this.options as Record<string, unknown>) : this.parent.child(this.bindings));
  }
}
