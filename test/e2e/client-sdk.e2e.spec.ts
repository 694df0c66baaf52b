import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_TYPES_FILE, generateClientTypes, OPENAPI_FILE } from '../../scripts/openapi-client.mjs';
import { useSimWorld } from '../support/sim-world.js';

const { app, device, expectConverged } = useSimWorld('client-sdk', { REFRESH_REUSE_GRACE_SECONDS: '0' }); // the replay test replays at once

describe('sync engine against the real server', () => {
  it('a tree made on one device appears on another with the same bytes', async () => {
    const a = await device('A');
    const b = await device('B');
    await a.sync();
    await b.sync();
    await mkdir(path.join(a.root, 'docs/deep'), { recursive: true });
    await writeFile(path.join(a.root, 'docs/deep/x.txt'), 'hello');
    await writeFile(path.join(a.root, 'top.bin'), Buffer.alloc(5000, 7));
    const r = await a.sync();
    expect(r.pushed).toBe(4);
    await b.sync();
    expect(await readFile(path.join(b.root, 'docs/deep/x.txt'), 'utf8')).toBe('hello');
    await expectConverged(a, b);
    // rename + move on B, edit on A, then both sync
    await rename(path.join(b.root, 'docs/deep'), path.join(b.root, 'moved'));
    await writeFile(path.join(a.root, 'top.bin'), 'edited');
    await b.sync();
    await a.sync();
    await b.sync();
    await expectConverged(a, b);
    expect(await readFile(path.join(b.root, 'moved/x.txt'), 'utf8')).toBe('hello');
    expect(await readFile(path.join(b.root, 'top.bin'), 'utf8')).toBe('edited');
    await rm(path.join(a.root, 'moved'), { recursive: true });
    await a.sync();
    await b.sync();
    await expectConverged(a, b);
  });
});

describe('the SDK', () => {
  it('uploads only the blocks the server lacks, and a killed upload does not start over', async () => {
    const a = await device('blocks');
    await a.sync();
    const big = Buffer.alloc(3 * 4 * 1024 * 1024); // three whole blocks, each sent with PUT
    for (let i = 0; i < big.length; i += 1024) big.writeUInt32LE(i, i);
    await writeFile(path.join(a.root, 'big.bin'), big);
    // Every answer to the block uploads is lost, retries included: the push stops, the process "dies".
    a.faults.loseAnswers = 1000;
    a.faults.loseOnly = /\/v1\/blocks\/([0-9a-f]{64}|pack)$/;
    await expect(a.sync()).rejects.toThrow(/interrupted/);
    expect(a.store.queueLength()).toBe(1);
    a.restart();
    a.faults.loseAnswers = 0;
    const before = a.blockUploads;
    const r = await a.sync();
    expect(r.pushed).toBe(1);
    expect(a.blockUploads - before).toBe(0); // the blocks had arrived before the answers were lost
    // A second file sharing the first two blocks uploads only its own last block.
    const other = Buffer.concat([big.subarray(0, 8 * 1024 * 1024), Buffer.from('different tail')]);
    await writeFile(path.join(a.root, 'other.bin'), other);
    const before2 = a.blockUploads;
    await a.sync();
    expect(a.blockUploads - before2).toBe(1);
    await expectConverged(a);
  });

  it('queues changes made offline, survives a restart, and catches up when the server is back', async () => {
    const a = await device('offline-a');
    const b = await device('offline-b');
    await a.sync();
    await b.sync();
    a.faults.offline = true;
    await mkdir(path.join(a.root, 'trip'));
    await writeFile(path.join(a.root, 'trip/day1.txt'), 'sunny');
    await expect(a.sync()).rejects.toThrow(/offline/);
    await writeFile(path.join(a.root, 'trip/day2.txt'), 'rain');
    await expect(a.sync()).rejects.toThrow(/offline/);
    expect(a.store.queueLength()).toBe(3);
    a.restart();
    expect(a.store.queueLength()).toBe(3);
    a.faults.offline = false;
    const r = await a.sync();
    expect(r.pushed).toBe(3);
    await b.sync();
    expect(await readFile(path.join(b.root, 'trip/day2.txt'), 'utf8')).toBe('rain');
    await expectConverged(a, b);
  });

  it('a retried batch whose answer was lost changes nothing twice (op ids)', async () => {
    const a = await device('lossy');
    await a.sync();
    const head = (await a.client.latest()).seq;
    await writeFile(path.join(a.root, 'once.txt'), 'exactly once');
    await mkdir(path.join(a.root, 'folder once'));
    a.faults.loseAnswers = 1; // the batch reaches the server, its answer does not come back
    await expect(a.sync()).rejects.toThrow(/interrupted/);
    const r = await a.sync();
    expect(r.pushed).toBe(2);
    expect((await a.client.latest()).seq).toBe(head + 2);
    const names = (await a.client.list({ path: '/' })).map((e) => e.name);
    expect(names.filter((n) => n.startsWith('once') || n.startsWith('folder once'))).toEqual(['folder once', 'once.txt']);
  });

  it('refreshes an expired access token and saves the new pair; a replayed refresh token ends the session', async () => {
    const a = await device('tokens');
    const s0 = a.session.load()!;
    a.session.save({ ...s0, accessTokenExpiresAt: new Date(Date.now() - 1000).toISOString() });
    await a.client.latest();
    const s1 = a.session.load()!;
    expect(s1.refreshToken).not.toBe(s0.refreshToken);
    // An old refresh token used again: the server revokes the device.
    a.session.save({ ...s1, refreshToken: s0.refreshToken, accessTokenExpiresAt: new Date(0).toISOString() });
    await expect(a.client.latest()).rejects.toMatchObject({ name: 'SessionEndedError', code: 'REFRESH_TOKEN_REUSED' });
  });

  it('is typed from the OpenAPI document the server serves', async () => {
    // The SDK's types are generated from docs/openapi.json (test/unit/openapi.spec.ts keeps them
    // current); the document a running server serves must be that very document.
    const served = (await app().api.get('/docs/openapi.json')).body;
    expect(served).toEqual(JSON.parse(await readFile(OPENAPI_FILE, 'utf8')));
    expect(await generateClientTypes(JSON.stringify(served))).toBe(await readFile(CLIENT_TYPES_FILE, 'utf8'));
  });
});

describe('pokes', () => {
  it('arrive over TCP and over WebSocket when another device changes something', async () => {
    const { MqttBrokerService } = await import('../../src/modules/notifications/mqtt-broker.service.js');
    const { PokeSubscriber } = await import('../../client/src/sdk/pokes.js');
    const a = await device('poked');
    const b = await device('poker');
    const tcp = `mqtt://127.0.0.1:${app().app.get(MqttBrokerService).tcpAddress()!.port}`;
    const ws = `${app().url.replace(/^http/, 'ws')}/mqtt`;
    for (const url of [tcp, ws]) {
      const s = a.session.load()!;
      const sub = new PokeSubscriber({ url, deviceId: s.deviceId, userId: s.userId, token: () => a.client.accessToken() });
      const seqs: number[] = [];
      sub.on('poke', (seq) => seqs.push(seq));
      const connected = new Promise<void>((r) => sub.once('connected', r));
      sub.start();
      await connected;
      await new Promise((r) => setTimeout(r, 200));
      await writeFile(path.join(b.root, `poke-${seqs.length}-${url.slice(0, 2)}.txt`), url);
      await b.sync();
      const head = (await b.client.latest()).seq;
      for (let i = 0; i < 100 && !seqs.includes(head); i++) await new Promise((r) => setTimeout(r, 50));
      await sub.stop();
      expect(seqs).toContain(head);
    }
  });
});
