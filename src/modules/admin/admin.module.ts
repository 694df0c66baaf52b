import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { BlocksModule } from '../blocks/blocks.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { NamespaceModule } from '../namespace/namespace.module.js';
import { RetentionModule } from '../retention/retention.module.js';
import { AdminController } from './admin.controller.js';
import { AdminService } from './admin.service.js';

@Module({
  imports: [AuthModule, BlocksModule, DevicesModule, JournalModule, NamespaceModule, RetentionModule],
  controllers: [AdminController],
  providers: [AdminService],
})
export class AdminModule {}
