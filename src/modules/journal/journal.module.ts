import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { DeltaController } from './delta.controller.js';
import { DeltaService } from './delta.service.js';
import { JournalRepository } from './journal.repository.js';
import { JournalService } from './journal.service.js';
import {
  JOURNAL_CHUNK_MODEL,
  JOURNAL_ENTRY_MODEL,
  JOURNAL_HEAD_MODEL,
  JOURNAL_PAGE_MODEL,
  JournalChunkSchema,
  JournalEntrySchema,
  JournalHeadSchema,
  JournalPageSchema,
} from './schemas/journal-entry.schema.js';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: JOURNAL_ENTRY_MODEL, schema: JournalEntrySchema },
      { name: JOURNAL_PAGE_MODEL, schema: JournalPageSchema },
      { name: JOURNAL_HEAD_MODEL, schema: JournalHeadSchema },
      { name: JOURNAL_CHUNK_MODEL, schema: JournalChunkSchema },
    ]),
  ],
  controllers: [DeltaController],
  providers: [JournalRepository, JournalService, DeltaService],
  exports: [JournalService],
})
export class JournalModule {}
