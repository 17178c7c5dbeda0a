import { Controller, Get, Logger } from "@nestjs/common";
import { HealthCheck, HealthCheckService, HealthIndicatorService } from "@nestjs/terminus";
import { DatabaseService } from "../database/database.service.js";
import { RedisService } from "../redis/redis.service.js";

/** Each dependency gets about a second: long enough for a busy server, short enough for a probe. */
const dependencyTimeoutMs = 1_000;

@Controller()
export class HealthController {
  private readonly log = new Logger(HealthController.name);
  /** The last reason each dependency was not ready, so that the log says each change once, not every probe. */
  private readonly lastFailure = new Map<string, string>();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly database: DatabaseService,
    private readonly redis: RedisService,
  ) {}

  /**
   * Readiness: PostgreSQL (migrated and answering a query on notes) and Redis both answer; 503
   * names the one that does not. For people and monitors: the load balancer and Docker probe
   * liveness (./liveness.ts) instead, so that a dependency's outage does not take every task out of service.
   */
  @Get("ready")
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.probe("postgres", () => this.database.check(dependencyTimeoutMs)),
      () => this.probe("redis", () => this.redis.check(dependencyTimeoutMs)),
    ]);
  }

  private async probe<const Key extends string>(key: Key, check: () => Promise<void>) {
    const session = this.indicator.check(key);
    try {
      await check();
      if (this.lastFailure.delete(key)) this.log.log(`${key} ready again`);
      return session.up();
    } catch (error) {
      // The body says what failed in plain words; the driver's reason (addresses, ports) goes to the log only.
      const cause = (error as Error).cause;
      const reason = `${(error as Error).message}${cause instanceof Error ? `: ${cause.message}` : ""}`;
      if (this.lastFailure.get(key) !== reason) this.log.warn(`${key} not ready: ${reason}`);
      this.lastFailure.set(key, reason);
      return session.down({ message: (error as Error).message });
    }
  }
}
