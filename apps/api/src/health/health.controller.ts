import { Controller, Get } from "@nestjs/common";
import { HealthCheck, HealthCheckService, HealthIndicatorService } from "@nestjs/terminus";
import { DatabaseService } from "../database/database.service.js";
import { RedisService } from "../redis/redis.service.js";

/** Each dependency gets about a second: long enough for a busy server, short enough for a probe. */
const dependencyTimeoutMs = 1_000;

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly database: DatabaseService,
    private readonly redis: RedisService,
  ) {}

  /** Liveness: the process serves HTTP. No dependency, so a Redis or database outage never restarts tasks. */
  @Get("health")
  live(): { status: "ok" } {
    return { status: "ok" };
  }

  /** Readiness: PostgreSQL (migrated and answering) and Redis both answer; 503 names the one that does not. */
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
      return session.up();
    } catch (error) {
      return session.down({ message: (error as Error).message });
    }
  }
}
