import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Clock } from '../../src/common/clock.js';
import type { BlobStore } from '../../src/infra/storage/blob-store.js';
import { BlocksService } from '../../src/modules/blocks/blocks.service.js';
import type { BlocksRepository } from '../../src/modules/blocks/blocks.repository.js';
import { encodePackHeader } from '../../src/shared/block-pack.js';
import { sha256 } from '../support/bytes.js';

/** The service's memory of holdings it just recorded, against a repository that counts its reads. */
function world() {
  const reads: string[][] = [];
  const marked = new Set<string>();
  const holdings = new Map<string, number>();
  let now = Date.parse('2026-12-06T12:00:00Z');
  const repo = {
    heldBy: (userId: string, hashes: readonly string[]) => {
      reads.push([...hashes]);
      return Promise.resolve(new Map(hashes.flatMap((h) => (holdings.has(`${userId}:${h}`) ? [[h, holdings.get(`${userId}:${h}`)!] as const] : []))));
    },
    markedForSweep: (hashes: readonly string[]) => Promise.resolve(new Set(hashes.filter((h) => marked.has(h)))),
    cancelSweep: (h: string) => Promise.resolve(void marked.delete(h)),
    recordStoredMany: () => Promise.resolve(),
    neverStored: () => [],
    recordHeldMany: (userId: string, blocks: readonly { hash: string; size: number }[]) => {
      const existed = new Set<string>();
      for (const b of blocks) {
        if (holdings.has(`${userId}:${b.hash}`)) existed.add(b.hash);
        holdings.set(`${userId}:${b.hash}`, b.size);
      }
      return Promise.resolve(existed);
    },
  } as unknown as BlocksRepository;
  const store = { put: () => Promise.resolve() } as unknown as BlobStore;
  const clock: Clock = { now: () => new Date(now) };
  const service = new BlocksService(repo, store, clock);
  const pack = (userId: string, blocks: Buffer[]) => {
    const body = Buffer.concat([encodePackHeader(blocks.map((b) => ({ hash: sha256(b), size: b.length }))), ...blocks]);
    return service.uploadPack(userId, Readable.from([body]), body.length);
  };
  return { service, pack, reads, marked, holdings, advance: (ms: number) => (now += ms) };
}

describe('holdings a process just recorded', () => {
  it('are not read back by the commit check that follows the upload', async () => {
    const w = world();
    const blocks = [Buffer.from('one'), Buffer.from('two')];
    await w.pack('u1', blocks);
    const held = await w.service.heldSizes('u1', blocks.map(sha256));
    expect(held).toEqual(new Map(blocks.map((b) => [sha256(b), b.length])));
    expect(w.reads).toEqual([]);
    // Another user's check reads its own holdings.
    expect(await w.service.heldSizes('u2', [sha256(blocks[0]!)])).toEqual(new Map());
    expect(w.reads).toEqual([[sha256(blocks[0]!)]]);
  });

  it('still count as missing once garbage collection marks the block', async () => {
    const w = world();
    const block = Buffer.from('marked later');
    await w.pack('u1', [block]);
    w.marked.add(sha256(block));
    expect(await w.service.heldSizes('u1', [sha256(block)])).toEqual(new Map());
  });

  it('are read again after a few minutes, and a holding recorded earlier is not remembered', async () => {
    const w = world();
    const old = Buffer.from('held for long');
    w.holdings.set(`u1:${sha256(old)}`, old.length);
    const fresh = Buffer.from('new');
    await w.pack('u1', [old, fresh]);
    await w.service.heldSizes('u1', [sha256(old), sha256(fresh)]);
    expect(w.reads).toEqual([[sha256(old)]]);
    w.advance(11 * 60_000);
    w.holdings.delete(`u1:${sha256(fresh)}`);
    expect(await w.service.heldSizes('u1', [sha256(fresh)])).toEqual(new Map());
  });
});
