import { Inject, Injectable, Logger } from "@nestjs/common";
import { APP_CONFIG, type AppConfig } from "../config/app-config.js";
import { RedisService } from "../redis/redis.service.js";
import type { NotesPageDto } from "./dto/note.dto.js";

/**
 * A cached page over this size is not stored: with one key per page size (at most 100), the
 * list cache never holds more than about 25 MiB, whatever clients ask for.
 */
export const maxCachedPageBytes = 256 * 1024;

/** A first page and the notes-list version (PostgreSQL's notes_list_version) it was read at. */
interface Entry {
  version: string;
  page: NotesPageDto;
}

/**
 * The first page of the notes list for each page size, in Redis.
 *
 * Only first pages: any number of distinct cursors can name the same page, so caching pages
 * after a cursor let a client fill Redis with copies. One key per page size, overwritten in
 * place rather than one key per version, so writes do not add keys either. Each entry carries
 * the list version it was read at, and the caller serves it only while that is PostgreSQL's
 * current version: invalidation needs no Redis call from the writer, so a replica that cannot
 * reach Redis cannot leave the others serving a stale list. The cache is an optimisation: every
 * Redis error or timeout is logged and the caller reads PostgreSQL.
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
  }

  /** The cached first page of `limit` notes and its version, if Redis has one and answers. */
  async lookup(limit: number): Promise<Entry | undefined> {
    try {
      const cached = await this.redis.client.get(key(limit));
      return cached === null ? undefined : (JSON.parse(cached) as Entry);
    } catch (error) {
      this.log.warn(`notes cache read skipped: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Stores a first page read at `version`, without making the caller wait for Redis. The version
   * was read before the page, so the page is at least as new as the version says.
   */
  store(limit: number, version: string, page: NotesPageDto): void {
    const value = JSON.stringify({ version, page } satisfies Entry);
    if (Buffer.byteLength(value) > maxCachedPageBytes) return;
    this.redis.client
      .set(key(limit), value, "EX", this.ttlSeconds)
      .catch((error: Error) => this.log.warn(`notes cache write skipped: ${error.message}`));
  }
}

function key(limit: number): string {
  return `notes:list:first:${limit}`;
}
