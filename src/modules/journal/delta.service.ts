import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { rootNamespaceOf } from '../../domain/namespace.js';
import { EventBus } from '../../common/events/event-bus.js';
import type { AuthContext } from '../auth/auth.types.js';
import { decodeCursor, encodeCursor, type CursorPosition } from '../../domain/cursor.js';
import type { DeltaPageDto, LatestCursorDto } from './dto/delta.dto.js';
import { toEntryDto } from '../../domain/entry.dto.js';
import { JournalErrors } from './journal.errors.js';
import { JournalService } from './journal.service.js';

declare module '../../common/events/event-bus.js' {
  interface DomainEvents {
    /** A device read the delta from `fromSeq`: everything up to it is durably acked. */
    'delta.read': { ns: string; userId: string; deviceId: string; fromSeq: number };
  }
}

/**
 * Entries read from the journal at once (each holds at least one change, so never more than
 * the page still needs); on FerretDB that spans several sealed chunks, looked up together.
 */
const ENTRIES_PER_READ = 2048;

@Injectable()
export class DeltaService {
  constructor(
    private readonly journal: JournalService,
    private readonly events: EventBus,
    private readonly config: AppConfig,
  ) {}

  async latest(auth: AuthContext): Promise<LatestCursorDto> {
    const ns = rootNamespaceOf(auth.userId);
    const seq = await this.journal.head(ns);
    return { cursor: encodeCursor({ ns, seq, skip: 0 }), seq };
  }

  async read(auth: AuthContext, cursor: string | undefined, limit: number): Promise<DeltaPageDto> {
    const ns = rootNamespaceOf(auth.userId);
    const from: CursorPosition | null = cursor === undefined ? { ns, seq: 0, skip: 0 } : decodeCursor(cursor);
    if (!from || from.ns !== ns) throw JournalErrors.cursorReset();
    const head = await this.journal.head(ns);
    if (from.seq > head || (from.seq === head && from.skip > 0)) throw JournalErrors.cursorReset();
    // A device far behind relists: one listing instead of every change since. Not a reader that
    // started from the beginning on purpose, nor one paging on towards the head.
    const relistAfter = this.config.deltaRelistAfterEntries;
    if (cursor !== undefined && !from.paging && relistAfter > 0 && head - from.seq > relistAfter) {
      throw JournalErrors.farBehind(head - from.seq, relistAfter);
    }
    this.events.emit('delta.read', { ns, userId: auth.userId, deviceId: auth.deviceId, fromSeq: from.seq });

    const entries: DeltaPageDto['entries'] = [];
    let pos: CursorPosition = { ...from };
    let hasMore = pos.seq < head;
    while (entries.length < limit && pos.seq < head) {
      const batch = await this.journal.readAfter(ns, pos.seq, Math.min(ENTRIES_PER_READ, head - pos.seq, limit - entries.length));
      if (batch.length === 0) break;
      for (const e of batch) {
        if (pos.skip > e.changes.length) throw JournalErrors.cursorReset();
        const take = e.changes.slice(pos.skip, pos.skip + (limit - entries.length));
        for (const c of take) entries.push({ ...toEntryDto(c), seq: e.seq });
        const consumed = pos.skip + take.length;
        pos = consumed === e.changes.length ? { ns, seq: e.seq, skip: 0 } : { ns, seq: e.seq - 1, skip: consumed };
        if (entries.length >= limit) break;
      }
      hasMore = pos.seq < head;
    }
    return { entries, cursor: encodeCursor({ ...pos, paging: hasMore }), hasMore };
  }
}
