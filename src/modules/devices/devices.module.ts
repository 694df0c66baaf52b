import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { DeviceListing } from './device-listing.service.js';
import { DevicesController } from './devices.controller.js';

/** /v1/devices: the account's devices (auth) with how far each has synced (notifications). */
@Module({
  imports: [AuthModule, NotificationsModule],
  controllers: [DevicesController],
  providers: [DeviceListing],
  exports: [DeviceListing],
})
export class DevicesModule {}
