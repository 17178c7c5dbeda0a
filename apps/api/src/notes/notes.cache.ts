import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config.js";
import { RedisService } from "../redis/redis.service.js";
import type { NotesPageDto } from "./dto/note.dto.js";

const versionKey = "notes:list:version";

/**
 * Pages of the notes list in Redis, invalidated by a version number that every write increments.
 *
 * A reader takes the version before it queries PostgreSQL and stores the page under that version,
 * so a page read while a write commits lands under the old version and is never served after the
 * write's increment. The cache is an optimisation: every Redis error or timeout is logged and
 * the caller falls back to PostgreSQL.
 */
@Injectable()
export class NotesCache {
  private readonly log = new Logger(NotesCache.name);
  private readonly ttlSeconds: number;

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlSeconds = config.notesCacheTtlSeconds;
    // Writes made while this process could not reach Redis did not bump the version: bump it now.
    this.redis.client.on("ready", () => void this.invalidate());
  }

  /** The cached page, or a key to store the page under after reading it; no key when Redis is unusable. */
  async lookup(limit: number, cursor: string | undefined): Promise<{ page?: NotesPageDto; key?: string }> {
    try {
      const version = (await this.redis.client.get(versionKey)) ?? "0";
      const key = `notes:list:${version}:${limit}:${cursor ?? ""}`;
      const cached = await this.redis.client.get(key);
      return cached === null ? { key } : { page: JSON.parse(cached) as NotesPageDto };
    } catch (error) {
      this.log.warn(`notes cache read skipped: ${(error as Error).message}`);
      return {};
    }
  }

  /** Stores a page without making the caller wait for Redis. */
  store(key: string, page: NotesPageDto): void {
    this.redis.client
      .set(key, JSON.stringify(page), "EX", this.ttlSeconds)
      .catch((error: Error) => this.log.warn(`notes cache write skipped: ${error.message}`));
  }

  /** Makes every cached page unreachable; old pages expire on their own. */
  async invalidate(): Promise<void> {
    try {
      await this.redis.client.incr(versionKey);
    } catch (error) {
      this.log.warn(`notes cache invalidation failed, cached pages may be stale for up to ${this.ttlSeconds} s: ${(error as Error).message}`);
    }
  }
}
