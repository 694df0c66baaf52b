import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ConflictsRepository } from './conflicts.repository.js';
import { CONFLICT_MODEL, ConflictSchema } from './schemas/conflict.schema.js';

/**
 * The conflict policy (pure functions in conflict-policy.ts, used by the namespace planner)
 * and the conflict records. The /v1/conflicts endpoints live with the namespace module,
 * because resolving a conflict is an ordinary journaled write of the tree.
 */
@Module({
  imports: [MongooseModule.forFeature([{ name: CONFLICT_MODEL, schema: ConflictSchema }])],
  providers: [ConflictsRepository],
  exports: [ConflictsRepository],
})
export class ConflictsModule {}
