import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import pg from 'pg';

// What a typical service holds: a PostgreSQL pool and a Redis client, both from the environment.
@Injectable()
export class AppService implements OnModuleDestroy {
  readonly pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
  readonly redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  async onModuleDestroy() {
    await Promise.all([this.pool.end(), this.redis.quit()]);
  }
}
