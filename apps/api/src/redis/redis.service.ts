import { Inject, Injectable, Logger, type OnApplicationShutdown } from "@nestjs/common";
import { Redis } from "ioredis";
import { APP_CONFIG, type AppConfig } from "../config/app-config.js";
import { withTimeout } from "../common/timeout.js";
import { redisClientOptions } from "./redis-options.js";

/** The one Redis connection of the process, shared by the notes cache and the rate limiter. */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;
  private readonly log = new Logger(RedisService.name);
  private lastError: string | undefined;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = new Redis(redisClientOptions(config.redis));
    // ioredis retries forever and emits on every attempt: log only when the reason changes.
    this.client.on("error", (error: Error) => {
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      this.log.warn(`Redis connection failed: ${error.message}`);
    });
    this.client.on("ready", () => {
      if (this.lastError !== undefined) this.log.log("Redis connection restored");
      this.lastError = undefined;
    });
  }

  /** Throws unless Redis answers PING within timeoutMs; the message is fit for the readiness body, the cause for the log. */
  async check(timeoutMs: number): Promise<void> {
    if (this.client.status !== "ready") {
      throw new Error(`not connected (${this.client.status})`, { cause: this.lastError === undefined ? undefined : new Error(this.lastError) });
    }
    try {
      await withTimeout(this.client.ping(), timeoutMs, "Redis PING");
    } catch (error) {
      throw new Error(`no answer to PING within ${timeoutMs / 1000} s`, { cause: error });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // quit() lets commands already sent finish; disconnect() if Redis is not there to answer.
    if (this.client.status === "ready") await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }
}
