import { Injectable, Logger } from "@nestjs/common";
import { ThrottlerGuard, type ThrottlerStorage } from "@nestjs/throttler";

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage["increment"]>>;
/**
 * Counts every write of a client IP against one budget, whichever route it hits (the library's
 * default key is per route). The tracker is request.ip, which Fastify takes from X-Forwarded-For
 * as far back as TRUST_PROXY_HOPS allows.
 */
@Injectable()
export class WriteThrottlerGuard extends ThrottlerGuard {
  protected override generateKey(_context: unknown, tracker: string, name: string): string {
    return `writes:${tracker}:${name}`;
  }
}

/**
 * Lets writes through when Redis cannot count them: a rate limiter that turns a Redis outage into
 * failed writes would do more harm than the abuse it prevents.
 */
export class FailOpenThrottlerStorage implements ThrottlerStorage {
  private readonly log = new Logger(FailOpenThrottlerStorage.name);

  constructor(private readonly inner: ThrottlerStorage) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    try {
      return await this.inner.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      this.log.warn(`rate limit not enforced, Redis failed: ${(error as Error).message}`);
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }
}
