import { isIP } from "node:net";
import { Injectable, Logger } from "@nestjs/common";
import { ThrottlerGuard, type ThrottlerStorage } from "@nestjs/throttler";

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage["increment"]>>;

/** The one bucket of every client whose address is not an address. */
export const notAnAddress = "not-an-address";

/**
 * Counts every write of a client against one budget, whichever route it hits (the library's
 * default key is per route). The client is request.ip, which Fastify takes from X-Forwarded-For
 * as far back as TRUST_PROXY_HOPS allows.
 */
@Injectable()
export class WriteThrottlerGuard extends ThrottlerGuard {
  /**
   * The library's tracker already gives an IPv6 client its /64 (one subscriber's block, from
   * which it can pick addresses at will) and an IPv4-mapped one its IPv4 address, but passes
   * anything else through as the key. An X-Forwarded-For entry written by the client (when more
   * hops are trusted than there are proxies) would then be a Redis key of the client's choosing,
   * a fresh budget each time; such entries share one bucket instead.
   */
  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    const ip = request.ip;
    if (typeof ip !== "string" || isIP(ip.split("%")[0]) === 0) return Promise.resolve(notAnAddress);
    return super.getTracker(request);
  }

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
