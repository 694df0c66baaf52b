import { Logger, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../auth/auth.module.js';
import { BlocksModule } from '../blocks/blocks.module.js';
import { JournalModule } from '../journal/journal.module.js';
import { ConflictsController } from './conflicts/conflicts.controller.js';
import { ConflictsRepository } from './conflicts/conflicts.repository.js';
import { ConflictsService } from './conflicts/conflicts.service.js';
import { CONFLICT_MODEL, ConflictSchema } from './conflicts/schemas/conflict.schema.js';
import { ContentService } from './content.service.js';
import { FilesController } from './files.controller.js';
import { FileReads } from './file-reads.service.js';
import { FileWrites } from './file-writes.service.js';
import { NamespaceCatalog } from './namespace-catalog.service.js';
import { PurgeService } from './purge.service.js';
import { ProjectionService } from './projection.service.js';
import { NAMESPACE_MODEL, NamespaceSchema, OP_RECORD_MODEL, OpRecordSchema } from './schemas/namespace.schema.js';
import { NAME_MODEL, NameSchema, NODE_MODEL, NodeSchema } from './schemas/node.schema.js';
import { REVISION_MODEL, RevisionSchema } from './schemas/revision.schema.js';
import { SyncWriter } from './sync-writer.service.js';
import { TreeRepository } from './tree.repository.js';
import { TreeModels } from './tree-model.js';
import { TreeSnapshotsRepository } from './tree-snapshots.repository.js';
import { TREE_SNAPSHOT_MODEL, TreeSnapshotSchema } from './schemas/tree-snapshot.schema.js';
import { AppConfig } from '../../config/app-config.js';
import { JournalService } from '../journal/journal.service.js';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: NODE_MODEL, schema: NodeSchema },
      { name: NAME_MODEL, schema: NameSchema },
      { name: REVISION_MODEL, schema: RevisionSchema },
      { name: NAMESPACE_MODEL, schema: NamespaceSchema },
      { name: OP_RECORD_MODEL, schema: OpRecordSchema },
      { name: TREE_SNAPSHOT_MODEL, schema: TreeSnapshotSchema },
      { name: CONFLICT_MODEL, schema: ConflictSchema },
    ]),
    AuthModule,
    BlocksModule,
    JournalModule,
  ],
  controllers: [FilesController, ConflictsController],
  providers: [
    {
      provide: TreeModels,
      useFactory: (config: AppConfig, journal: JournalService, snapshots: TreeSnapshotsRepository) => {
        const logger = new Logger(TreeModels.name);
        return new TreeModels(
          config.treeModelMaxNodes,
          (ns, afterSeq, limit) => journal.readAfter(ns, afterSeq, limit),
          snapshots,
          (err, ns) => logger.warn({ err, ns }, 'tree snapshot failed; the journal is folded instead'),
          (ns, load) => logger.log({ ns, ...load, ms: Math.round(load.ms), foldMs: Math.round(load.foldMs) }, 'tree model loaded'),
        );
      },
      inject: [AppConfig, JournalService, TreeSnapshotsRepository],
    },
    TreeSnapshotsRepository,
    TreeRepository,
    ProjectionService,
    SyncWriter,
    FileReads,
    FileWrites,
    ContentService,
    ConflictsRepository,
    ConflictsService,
    NamespaceCatalog,
    PurgeService,
  ],
  exports: [ProjectionService, SyncWriter, ConflictsService, NamespaceCatalog, PurgeService],
})
export class NamespaceModule {}
