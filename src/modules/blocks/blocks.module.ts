import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BlocksController } from './blocks.controller.js';
import { BlockSweeper } from './block-sweeper.service.js';
import { BlocksRepository } from './blocks.repository.js';
import { BlocksService } from './blocks.service.js';
import { BLOCK_MODEL, BlockSchema, SWEEP_MODEL, SweepSchema, USER_BLOCK_MODEL, UserBlockSchema } from './schemas/block.schema.js';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: BLOCK_MODEL, schema: BlockSchema },
      { name: USER_BLOCK_MODEL, schema: UserBlockSchema },
      { name: SWEEP_MODEL, schema: SweepSchema },
    ]),
  ],
  controllers: [BlocksController],
  providers: [BlocksRepository, BlocksService, BlockSweeper],
  exports: [BlocksService, BlockSweeper],
})
export class BlocksModule {}
