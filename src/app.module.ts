import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';
import { ClockModule } from './common/clock.js';
import { EventsModule } from './common/events/events.module.js';
import { DatabaseModule, type DatabaseTarget } from './infra/database/database.module.js';
import { StorageModule } from './infra/storage/storage.module.js';
import { AdminModule } from './modules/admin/admin.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { BlocksModule } from './modules/blocks/blocks.module.js';
import { DevicesModule } from './modules/devices/devices.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { JournalModule } from './modules/journal/journal.module.js';
import { NamespaceModule } from './modules/namespace/namespace.module.js';
import { NotificationsModule } from './modules/notifications/notifications.module.js';
import { RetentionModule } from './modules/retention/retention.module.js';

@Module({})
class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, global: true, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseTarget): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ClockModule,
        EventsModule,
        DatabaseModule.forRoot(database),
        StorageModule,
        AuthModule,
        DevicesModule,
        BlocksModule,
        JournalModule,
        NamespaceModule,
        NotificationsModule,
        RetentionModule,
        AdminModule,
        HealthModule,
      ],
    };
  }
}
