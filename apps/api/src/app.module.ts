import { Module, type DynamicModule } from "@nestjs/common";
import { ThrottlerStorageRedisService } from "@nest-lab/throttler-storage-redis";
import { ThrottlerModule, seconds } from "@nestjs/throttler";
import { APP_CONFIG, type AppConfig } from "./config/app-config.js";
import { FailOpenThrottlerStorage } from "./common/write-throttler.guard.js";
import { DatabaseModule } from "./database/database.module.js";
import { HealthModule } from "./health/health.module.js";
import { NotesModule } from "./notes/notes.module.js";
import { RedisModule } from "./redis/redis.module.js";
import { RedisService } from "./redis/redis.service.js";

/** The application; config is validated by main.ts before Nest starts and handed in here. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
      imports: [
        DatabaseModule,
        RedisModule,
        ThrottlerModule.forRootAsync({
          inject: [RedisService],
          useFactory: (redis: RedisService) => ({
            throttlers: [{ ttl: seconds(config.writeRateLimit.windowSeconds), limit: config.writeRateLimit.limit }],
            storage: new FailOpenThrottlerStorage(new ThrottlerStorageRedisService(redis.client)),
          }),
        }),
        HealthModule,
        NotesModule,
      ],
    };
  }
}
