import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashBuffer } from '../../src/shared/content-hash.js';
import { buildClientIfStale, cli, SyncProcess } from '../support/cli-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { diffFolders, readFolder } from '../support/sync-sim.js';

/**
 * Two `pocketcloud sync` processes (two devices: "pc" and "phone") on two temporary folders
 * against one server. The phone is stopped to be offline for the three cases of docs/conflicts.md.
 */
let t: TestApp;
let account: { email: string; password: string };
let work: string;
const folder = { pc: '', phone: '' };
const home = { pc: '', phone: '' };
let pc: SyncProcess;
let phone: SyncProcess;

beforeAll(async () => {
  buildClientIfStale();
  t = await startTestApp(testConfig('client-cli'));
  account = await t.api.register();
  work = mkdtempSync(path.join(tmpdir(), 'pc-cli-'));
  for (const d of ['pc', 'phone'] as const) {
    folder[d] = path.join(work, `${d}-folder`);
    home[d] = path.join(work, `${d}-home`);
    const r = await cli(home[d], ['login', '--server', t.url, '--email', account.email, '--device-name', d], { POCKETCLOUD_PASSWORD: account.password });
    expect(r.deviceId).toMatch(/^[0-9a-f-]{36}$/);
  }
  // A short periodic read keeps the test independent of poke timing; pokes still arrive over WebSocket.
  pc = new SyncProcess(home.pc, folder.pc, ['--interval', '2']);
  phone = new SyncProcess(home.phone, folder.phone, ['--interval', '2']);
  await pc.start();
  await phone.start();
}, 180_000);

afterAll(async () => {
  await pc?.stop();
  await phone?.stop();
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Polls until both folders are equal and `ok` holds (or 60 s pass); returns both listings. */
async function settled(ok: (f: Map<string, { kind: string; hash: string | null }>) => boolean) {
  let last: string[] = [];
  for (let i = 0; i < 300; i++) {
    let a, b;
    try {
      a = await readFolder(folder.pc);
      b = await readFolder(folder.phone);
    } catch (err) {
      // A file the sync process moved while we walked the folder: not settled yet.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    last = diffFolders(a.entries, b.entries, 'pc', 'phone');
    if (last.length === 0 && a.temps.length === 0 && b.temps.length === 0 && ok(a.entries)) return { pc: a.entries, phone: b.entries };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the folders did not settle: ${JSON.stringify(last)}\npc:${JSON.stringify(pc.events.slice(-5))}\nphone:${JSON.stringify(phone.events.slice(-5))}`);
}

async function onServer(p: string): Promise<boolean> {
  const r = await cli(home.pc, ['ls', path.posix.dirname(p)]);
  return Array.isArray(r) && r.some((e: any) => e.path === p);
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const hashOf = (s: string | Buffer): string => hashBuffer(Buffer.from(s)).contentHash;

describe('pocketcloud sync: two devices, one server', () => {
  it('a tree created in one folder appears in the other with identical bytes', async () => {
    const big = Buffer.alloc(9 * 1024 * 1024 + 123);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    await mkdir(path.join(folder.pc, 'Photos/2024'), { recursive: true });
    await mkdir(path.join(folder.pc, 'empty folder'));
    await writeFile(path.join(folder.pc, 'Photos/2024/cat.jpg'), 'meow');
    await writeFile(path.join(folder.pc, 'Photos/big.bin'), big);
    await writeFile(path.join(folder.pc, 'f.txt'), 'file f');
    await writeFile(path.join(folder.pc, 'h.txt'), 'file h');
    await mkdir(path.join(folder.pc, 'D'));
    await writeFile(path.join(folder.pc, 'D/d1.txt'), 'd one');
    await writeFile(path.join(folder.pc, 'D/d2.txt'), 'd two');
    await writeFile(path.join(folder.pc, 'empty.txt'), '');
    const s = await settled((f) => f.size === 11);
    expect(s.phone.get('Photos/big.bin')?.hash).toBe(hashBuffer(big).contentHash);
    expect(await readFile(path.join(folder.phone, 'Photos/2024/cat.jpg'), 'utf8')).toBe('meow');
    expect(s.phone.get('empty folder')?.kind).toBe('folder');
    expect(s.phone.get('empty.txt')?.hash).toBe(hashOf(''));
  });

  it('(a) deleted on the phone offline, renamed on the PC: the file survives under its new name', async () => {
    await phone.kill();
    await rm(path.join(folder.phone, 'f.txt'));
    await rename(path.join(folder.pc, 'f.txt'), path.join(folder.pc, 'f renamed.txt'));
    await until(() => onServer('/f renamed.txt'), 'the rename to reach the server');
    await phone.start();
    const s = await settled((f) => f.has('f renamed.txt') && !f.has('f.txt'));
    expect(s.phone.get('f renamed.txt')?.hash).toBe(hashOf('file f'));
    expect(s.pc.has('f.txt')).toBe(false);
  });

  it('(b) deleted on the PC, renamed on the offline phone: the file comes back under the new name', async () => {
    await phone.stop();
    await rm(path.join(folder.pc, 'h.txt'));
    await until(async () => !(await onServer('/h.txt')), 'the delete to reach the server');
    await rename(path.join(folder.phone, 'h.txt'), path.join(folder.phone, 'h2.txt'));
    await phone.start();
    const s = await settled((f) => f.has('h2.txt'));
    expect(s.pc.get('h2.txt')?.hash).toBe(hashOf('file h'));
    expect(s.pc.has('h.txt')).toBe(false);
  });

  it('(c) folder deleted on the PC, a file in it renamed on the offline phone: the folder comes back with only that file', async () => {
    const d2 = (await cli(home.pc, ['ls', '/D'])).find((e: any) => e.name === 'd2.txt');
    expect(d2?.id).toBeTruthy();
    await phone.kill();
    await rm(path.join(folder.pc, 'D'), { recursive: true });
    await until(async () => !(await onServer('/D')), 'the folder delete to reach the server');
    await rename(path.join(folder.phone, 'D/d1.txt'), path.join(folder.phone, 'D/d1 renamed.txt'));
    await phone.start();
    const s = await settled((f) => f.has('D/d1 renamed.txt') && !f.has('D/d2.txt'));
    expect([...s.pc.keys()].filter((p) => p.startsWith('D/'))).toEqual(['D/d1 renamed.txt']);
    expect(s.phone.get('D/d1 renamed.txt')?.hash).toBe(hashOf('d one'));
    // d2.txt stays in the trash.
    const trash = await cli(home.pc, ['trash']);
    expect(trash.some((e: any) => e.id === d2.id || e.name === 'D')).toBe(true);
    const conflicts = await cli(home.pc, ['conflicts']);
    expect(conflicts.server.map((c: any) => c.kind)).toEqual(expect.arrayContaining(['DELETE_STALE', 'MOVE_RESTORED', 'PARENT_RESTORED']));
  });

  it('put, ls, get, mv and rm work on the server and reach the synced folders', async () => {
    const src = path.join(work, 'upload.txt');
    await writeFile(src, 'from the cli');
    const put = await cli(home.pc, ['put', src, '/Photos/']);
    expect(put.entry.path).toBe('/Photos/upload.txt');
    const mv = await cli(home.pc, ['mv', '/Photos/upload.txt', '/moved.txt']);
    expect(mv.entry.path).toBe('/moved.txt');
    const got = await cli(home.phone, ['get', '/moved.txt', work]);
    expect(await readFile(got.path, 'utf8')).toBe('from the cli');
    await settled((f) => f.get('moved.txt')?.hash === hashOf('from the cli'));
    const rmd = await cli(home.pc, ['rm', '/moved.txt']);
    expect(rmd.entry.deleted).toBe(true);
    await settled((f) => !f.has('moved.txt'));
    const status = await cli(home.phone, ['status']);
    expect(status.queued).toBe(0);
    expect(status.refused).toEqual([]);
  });
});
