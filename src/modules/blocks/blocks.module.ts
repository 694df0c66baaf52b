import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BlocksController } from './blocks.controller.js';
import { BlocksRepository } from './blocks.repository.js';
import { BlocksService } from './blocks.service.js';
import { BLOCK_MODEL, BlockSchema, USER_BLOCK_MODEL, UserBlockSchema } from './schemas/block.schema.js';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: BLOCK_MODEL, schema: BlockSchema },
      { name: USER_BLOCK_MODEL, schema: UserBlockSchema },
    ]),
  ],
  controllers: [BlocksController],
  providers: [BlocksRepository, BlocksService],
  exports: [BlocksService],
})
export class BlocksModule {}
