import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BlocksModule } from '../blocks/blocks.module.js';
import { NamespaceModule } from '../namespace/namespace.module.js';
import { GarbageCollector } from './garbage-collector.service.js';
import { JobLeases } from './job-lease.js';
import { RetentionService } from './retention.service.js';
import { JOB_LEASE_MODEL, JobLeaseSchema } from './schemas/job-lease.schema.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: JOB_LEASE_MODEL, schema: JobLeaseSchema }]), NamespaceModule, BlocksModule],
  providers: [JobLeases, GarbageCollector, RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
