import { ServiceUnavailableException } from "@nestjs/common";

/** The services the API depends on, as readiness and 503 bodies name them. */
export type Dependency = "postgres" | "redis";

/**
 * A 503 caused by a dependency. The message names the dependency and what it failed to do, in
 * words fit for any client; the driver's error (addresses, ports, SQL states) is kept as `cause`
 * for the log only.
 */
export class DependencyUnavailableException extends ServiceUnavailableException {
  constructor(
    readonly dependency: Dependency,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
  }
}
