import { Logger, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AppConfig } from '../../config/app-config.js';
import { AuthModule } from '../auth/auth.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { DeviceSyncRepository } from './device-sync.repository.js';
import { DeviceSyncService } from './device-sync.service.js';
import { MqttBrokerService } from './mqtt-broker.service.js';
import { MqttGatekeeper } from './mqtt-gatekeeper.js';
import { PokeService } from './poke.service.js';
import { FirebasePushSender } from './push/firebase-push-sender.js';
import { DisabledPushSender, PUSH_SENDER, type PushSender } from './push/push-sender.js';
import { DEVICE_SYNC_MODEL, DeviceSyncSchema } from './schemas/device-sync.schema.js';
import { WakeupService } from './wakeup.service.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: DEVICE_SYNC_MODEL, schema: DeviceSyncSchema }]), AuthModule, JournalModule],
  providers: [
    DeviceSyncRepository,
    DeviceSyncService,
    MqttGatekeeper,
    MqttBrokerService,
    PokeService,
    WakeupService,
    {
      provide: PUSH_SENDER,
      inject: [AppConfig],
      useFactory: async (c: AppConfig): Promise<PushSender> => {
        if (!c.fcm.credentialsFile) return new DisabledPushSender();
        const sender = await FirebasePushSender.create(c.fcm.credentialsFile);
        new Logger('FCM').log('FCM wake-ups are on');
        return sender;
      },
    },
  ],
  exports: [MqttBrokerService, DeviceSyncService],
})
export class NotificationsModule {}
