import { expect } from 'vitest';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { Conflict, DeltaEntry, Entry, WriteResult } from '../../client/src/sdk/types.js';
import type { ApiClient } from './api-client.js';
import { contentHashOf } from './bytes.js';
import { type Account, Device } from './device.js';
import { assertTree, foldDelta, type FoldedNode, liveRows } from './journal-fold.js';

/**
 * Two devices of one user for the conflict tests: a "phone" that works offline (it sends its
 * operations with the old cursor it had when it made them) and a "PC" that stays online.
 * Each keeps a local model of the tree, as a sync client would, folded from its own delta.
 */

/** A node as a device holds it: the folded state, live ones only. */
export type LocalNode = Omit<FoldedNode, 'deleted'>;

/**
 * A device's local tree, keyed by id. Delta entries are folded in order: a live state replaces
 * the node, a deleted one removes it — and, for a folder, everything the device holds below it
 * (what a client does with a recursive delete). Local operations change it the same way
 * before the device has told the server.
 */
export class LocalModel {
  readonly nodes = new Map<string, LocalNode>();

  constructor(readonly rootId: string) {}

  apply(entries: readonly DeltaEntry[]): void {
    for (const e of entries) {
      if (e.deleted) this.remove(e.id);
      else this.set({ id: e.id, parentId: e.parentId, name: e.name, kind: e.kind, size: e.size, contentHash: e.contentHash });
    }
  }

  set(n: LocalNode): void {
    this.nodes.set(n.id, { ...n });
  }

  /** A local change of some fields of a node the device holds. */
  patch(id: string, patch: Partial<LocalNode>): void {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`the device does not hold ${id}`);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    this.nodes.set(id, { ...n, ...defined });
  }

  /** Removes the node and every node the device holds below it. */
  remove(id: string): void {
    const doomed = this.subtreeIds(id);
    for (const d of doomed) this.nodes.delete(d);
  }

  /** The node and the ids of everything below it (as the device holds the tree). */
  subtreeIds(id: string): string[] {
    const out = [id];
    for (const n of this.nodes.values()) {
      if (n.id !== id && this.isBelow(n, id)) out.push(n.id);
    }
    return out;
  }

  /** Sorted rows to compare with the server (see journal-fold.ts). */
  rows(): string[] {
    return liveRows([...this.nodes.values()].map((n) => ({ ...n, deleted: false })));
  }

  private isBelow(n: LocalNode, ancestorId: string): boolean {
    let cur: LocalNode | undefined = n;
    // A device may hold a cycle for a moment (its own move plus an unseen one): bounded walk.
    for (let depth = 0; cur && depth < 1000; depth++) {
      if (cur.parentId === ancestorId) return true;
      if (cur.parentId === this.rootId) return false;
      cur = this.nodes.get(cur.parentId);
    }
    return false;
  }
}

/** One device: its API handle (with its cursor), its id and name, and its local tree. */
export class Peer {
  readonly model: LocalModel;

  constructor(
    readonly device: Device,
    readonly deviceId: string,
    readonly name: string,
    rootId: string,
  ) {
    this.model = new LocalModel(rootId);
  }

  /** Reads the delta from the device's cursor, folds it into the model, returns the entries. */
  async pull(): Promise<DeltaEntry[]> {
    const entries = await this.device.sync();
    this.model.apply(entries);
    return entries;
  }

  // Operations as a client makes them: first on its own tree, then sent with its cursor.

  /** A new version of a file. */
  async edit(id: string, content: string, extra: { baseCursor?: string; opId?: string } = {}): Promise<ApiReply<WriteResult>> {
    const data = Buffer.from(content);
    this.model.patch(id, { size: data.length, contentHash: contentHashOf(data) });
    const blocks = await this.device.upload(data);
    return this.device.commit({ id, blocks, size: data.length, ...extra });
  }

  /** A rename and/or move. */
  move(id: string, to: { parentId?: string; name?: string }): Promise<ApiReply<WriteResult>> {
    this.model.patch(id, to);
    return this.device.move({ id, ...to });
  }

  /** A delete; a folder's carries the ids the device removed with it. */
  delete(id: string, opts: { removedIds?: boolean } = {}): Promise<ApiReply<WriteResult>> {
    const removed = this.model.subtreeIds(id);
    this.model.remove(id);
    return this.device.remove({ id, ...(opts.removedIds === false ? {} : { removedIds: removed }) });
  }
}

export interface TwoDevices {
  account: Account;
  /** The namespace root (the user's id). */
  root: string;
  phone: Peer;
  pc: Peer;
}

/** A fresh account: the phone registers ("test phone"), the PC logs in ("pc"). Both at the head. */
export async function phoneAndPc(api: ApiClient): Promise<TwoDevices> {
  const account = await api.register();
  const pcSession = await api.login(account.email, account.password, 'pc');
  const root = account.user.id;
  const phone = new Peer(Device.of(api, account, 'test phone'), account.deviceId, 'test phone', root);
  const pc = new Peer(Device.of(api, pcSession, 'pc'), pcSession.deviceId, 'pc', root);
  await phone.pull();
  await pc.pull();
  return { account, root, phone, pc };
}

/** Expects a write to have been applied (201) and returns its result. */
export function applied(res: ApiReply<WriteResult>, what = ''): WriteResult {
  expect(res.status, `${what} → ${JSON.stringify(res.raw)}`).toBe(201);
  return res.body;
}

/** Every live node of the server (a recursive listing of the root) as sorted rows. */
export async function serverRows(device: Device): Promise<string[]> {
  return liveRows(await listLive(device));
}

/** Every live node, from a recursive listing of the root. */
function listLive(device: Device): Promise<Entry[]> {
  return device.listAll({ path: '/' }, { recursive: true });
}

/**
 * Convergence: every device pulls from its own cursor, and each device's model, the server's
 * recursive listing and the fold of the whole journal from seq 1 are the same tree.
 */
export async function expectConverged(devices: readonly Peer[]): Promise<string[]> {
  const first = devices[0]!;
  for (const d of devices) await d.pull();
  const server = await serverRows(first.device);
  const listed = await listLive(first.device);
  const byId = new Map(listed.map((e) => [e.id, { ...e, deleted: false }]));
  assertTree(byId, first.model.rootId);
  for (const d of devices) expect(d.model.rows(), `the ${d.name}'s model`).toEqual(server);
  const replay = foldDelta((await first.device.readDelta()).entries);
  expect(liveRows(replay.values()), 'the journal folded from seq 1').toEqual(server);
  return server;
}

/** Every conflict record of the user (all pages, through the SDK). */
export function allConflicts(device: Device, opts: { unresolved?: boolean; limit?: number } = {}): Promise<Conflict[]> {
  return device.client.conflicts(opts.unresolved ?? false, opts.limit);
}

/** The conflict record with this id. */
export async function conflictRecord(device: Device, id: string): Promise<Conflict> {
  const found = (await allConflicts(device)).find((c) => c.id === id);
  expect(found, `conflict ${id} is listed`).toBeDefined();
  return found!;
}

/** Ids of the trash's top entries. */
export async function trashIds(device: Device): Promise<string[]> {
  const res = await device.get('/v1/trash', { limit: 1000 });
  expect(res.status).toBe(200);
  return res.body.entries.map((e) => e.id).sort();
}

/** The text of a file's current content. */
export async function text(device: Device, id: string): Promise<string> {
  const res = await device.download({ id });
  expect(res.status).toBe(200);
  return res.body.toString('utf8');
}
