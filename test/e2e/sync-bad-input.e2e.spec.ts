import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BLOCK_SIZE } from '../../src/shared/content-hash.js';
import { uuidv7 } from '../../src/shared/ids.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { sha256 } from '../support/bytes.js';
import { ApiReply } from '../../client/src/sdk/reply.js';
import type { ApiResponse } from '../support/api-client.js';
import { type Account, Device, newDevice } from '../support/device.js';
import { eventually } from '../support/eventually.js';
import { rawRequest } from '../support/raw-http.js';
import { fsTempFiles, storedBlobKeys } from '../support/stored-blobs.js';

/** Collects the server's log lines (it runs in this process) to find errors it logged. */
function logSink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  const errors = () =>
    lines
      .map((l) => {
        try {
          return JSON.parse(l) as { level: number | string; msg?: string };
        } catch {
          return { level: 0, msg: l };
        }
      })
      .filter((l) => l.level === 50 || l.level === 'error' || l.level === 60 || l.level === 'fatal');
  return { stream, lines, errors };
}

describe.each(['fs', 's3'] as const)('bad block uploads on the %s blob store (e2e)', (store) => {
  let t: TestApp;
  let d: Device;
  const log = logSink();
  const stored = () => storedBlobKeys(t.config);

  beforeAll(async () => {
    t = await startTestApp(testConfig(`sync_bad_blocks_${store}`, store, { LOG_LEVEL: 'warn' }), { logTo: log.stream });
    ({ device: d } = await newDevice(t.api));
  });
  afterAll(() => t?.close());

  async function expectNothingKept(hash: string, before: string[]) {
    expect(await d.check([hash])).toEqual([hash]);
    expect(await stored()).toEqual(before);
    expect(await eventually(() => fsTempFiles(t.config), (f) => f.length === 0)).toEqual([]);
  }

  it('refuses bytes that do not hash to the name with 400 HASH_MISMATCH and keeps nothing', async () => {
    const data = randomBytes(3000);
    const wrong = sha256(randomBytes(3000));
    const before = await stored();
    const res = await d.putBlock(wrong, data);
    expect(res.status).toBe(400);
    expect(res.error.code).toBe('HASH_MISMATCH');
    await expectNothingKept(wrong, before);
    // A full-size block too (the fs store renames only verified files; S3 verifies the checksum).
    const big = randomBytes(BLOCK_SIZE);
    const res2 = await d.putBlock(sha256(randomBytes(1)), big);
    expect(res2.status).toBe(400);
    expect(res2.error.code).toBe('HASH_MISMATCH');
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['not hex', 'z'.repeat(64)],
    ['upper-case hex', 'A'.repeat(64)],
    ['63 characters', 'a'.repeat(63)],
    ['65 characters', 'a'.repeat(65)],
    ['a word', 'hello'],
  ])('refuses a hash that is %s with 400 INVALID_HASH (upload, check, download)', async (_name, hash) => {
    const put = await d.putBlock(hash, Buffer.from('x'));
    expect(put.status).toBe(400);
    expect(put.error.code).toBe('INVALID_HASH');
    const check = await t.api.post('/v1/blocks/check', { hashes: [sha256(Buffer.from('ok')), hash] }, d.token);
    expect(check.status).toBe(400);
    expect(check.body.code).toBe('INVALID_HASH');
    const get = await d.sendRaw('GET', `/v1/blocks/${hash}`);
    expect(get.status).toBe(400);
    expect(get.body.code).toBe('INVALID_HASH');
  });

  it('refuses a body over 4 MiB with 413 BLOCK_TOO_LARGE and keeps nothing', async () => {
    const data = randomBytes(BLOCK_SIZE + 1);
    const hash = sha256(data);
    const before = await stored();
    const res = await rawRequest(t.url, {
      method: 'PUT',
      path: `/v1/blocks/${hash}`,
      headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/octet-stream' },
      contentLength: data.length,
      chunks: [data],
    });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('BLOCK_TOO_LARGE');
    expect(res.body.details).toEqual({ maxBytes: BLOCK_SIZE });
    await expectNothingKept(hash, before);
  });

  it('refuses an upload without Content-Length (chunked) with 411 LENGTH_REQUIRED', async () => {
    const data = randomBytes(1000);
    const hash = sha256(data);
    const before = await stored();
    const res = await rawRequest(t.url, {
      method: 'PUT',
      path: `/v1/blocks/${hash}`,
      headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/octet-stream' },
      chunks: [data.subarray(0, 500), data.subarray(500)],
    });
    expect(res.status).toBe(411);
    expect(res.body.code).toBe('LENGTH_REQUIRED');
    await expectNothingKept(hash, before);
  });

  it.each([
    ['JSON', 'application/json', () => Buffer.from('{"not":"a block"}')],
    ['text', 'text/plain', () => Buffer.from('plain text')],
    ['a form', 'application/x-www-form-urlencoded', () => Buffer.from('a=b')],
  ])('refuses a block sent as %s with 415 UNSUPPORTED_MEDIA_TYPE', async (_name, type, body) => {
    const data = body();
    const hash = sha256(data);
    const res = await t.api.request('PUT', `/v1/blocks/${hash}`, { token: d.token, raw: data, headers: { 'content-type': type } });
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await d.check([hash])).toEqual([hash]);
  });

  it('refuses binary block bytes labelled as JSON with a 4xx and keeps nothing', async () => {
    // The global JSON parser (app.setup.ts) reads JSON-typed bodies before any handler, so these
    // fail as MALFORMED_JSON rather than reaching the block handler's 415.
    const data = randomBytes(100);
    const hash = sha256(data);
    const res = await t.api.request('PUT', `/v1/blocks/${hash}`, { token: d.token, raw: data, headers: { 'content-type': 'application/json' } });
    expect([400, 415]).toContain(res.status);
    expect(['MALFORMED_JSON', 'UNSUPPORTED_MEDIA_TYPE']).toContain(res.body.code);
    expect(await d.check([hash])).toEqual([hash]);
  });

  it('accepts a block sent without a Content-Type', async () => {
    const data = randomBytes(100);
    const res = await t.api.request('PUT', `/v1/blocks/${sha256(data)}`, { token: d.token, raw: data });
    expect(res.status).toBe(201);
  });

  describe('a body cut short (fewer bytes than Content-Length, then the connection closes)', () => {
    async function cutShort(data: Buffer) {
      const res = await rawRequest(t.url, {
        method: 'PUT',
        path: `/v1/blocks/${sha256(data)}`,
        headers: { authorization: `Bearer ${d.token}`, 'content-type': 'application/octet-stream' },
        contentLength: data.length,
        chunks: [data.subarray(0, Math.floor(data.length / 2))],
        cutOff: true,
      });
      expect(res.status).toBeNull();
    }

    it('keeps nothing, logs no server error, and keeps serving', async () => {
      const before = await stored();
      const errorsBefore = log.errors().length;
      const data = randomBytes(BLOCK_SIZE);
      await cutShort(data);
      await expectNothingKept(sha256(data), before);
      // The server still answers, and the same block uploads fine afterwards.
      expect((await t.api.get('/health')).status).toBe(200);
      const ok = await d.putBlock(sha256(data), data);
      expect(ok.status).toBe(201);
      expect(await d.check([sha256(data)])).toEqual([]);
      expect(log.errors().slice(errorsBefore)).toEqual([]);
    });

    it('keeps nothing for a block that is stored already (someone else uploaded it)', async () => {
      const data = randomBytes(100_000);
      const other = await newDevice(t.api);
      expect((await other.device.putBlock(sha256(data), data)).status).toBe(201);
      const before = await stored();
      await cutShort(data);
      await expectNothingKept(sha256(data), before);
      expect((await d.putBlock(sha256(data), data)).status).toBe(201);
    });

    it('survives many cut-short uploads in a row', async () => {
      const before = await stored();
      const hashes: string[] = [];
      for (let i = 0; i < 5; i++) {
        const data = randomBytes(200_000);
        hashes.push(sha256(data));
        await cutShort(data);
      }
      expect(await d.check(hashes)).toEqual(hashes);
      expect(await stored()).toEqual(before);
      expect((await t.api.get('/health')).status).toBe(200);
    });
  });
});

describe('bad namespace input (e2e)', () => {
  let t: TestApp;
  let d: Device;
  let account: Account;
  const log = logSink();

  beforeAll(async () => {
    // A JSON limit that fits 10,001 hashes, to reach the check's own limit.
    t = await startTestApp(testConfig('sync_bad_ns', 'fs', { LOG_LEVEL: 'warn', JSON_BODY_LIMIT_KB: '1024' }), { logTo: log.stream });
  });
  afterAll(() => {
    // No request of this suite may have been a 500.
    expect(log.errors()).toEqual([]);
    return t?.close();
  });
  beforeEach(async () => {
    ({ session: account, device: d } = await newDevice(t.api));
  });

  /** The error body of an answer: typed (the SDK device) or raw (malformed input). */
  const errorOf = (res: ApiReply<unknown> | ApiResponse) => (res instanceof ApiReply ? res.error : res.body);
  const expectError = (res: ApiReply<unknown> | ApiResponse, status: number, code: string) => {
    expect(res.status, JSON.stringify(res instanceof ApiReply ? res.raw : res.body)).toBe(status);
    expect(errorOf(res).code).toBe(code);
  };

  describe('commits whose blocks do not fit the size', () => {
    it.each([
      ['one block for 5 MiB', 1, 5 * 1024 * 1024],
      ['two blocks for 100 bytes', 2, 100],
      ['no blocks for 1 byte', 0, 1],
      ['a block for 0 bytes', 1, 0],
    ])('refuses %s with 400 BLOCKS_MISMATCH', async (_name, count, size) => {
      const hashes = Array.from({ length: count }, (_, i) => sha256(Buffer.from(`b${i}`)));
      expectError(await d.sendRaw('POST', '/v1/files/commit', { path: '/f', blocks: hashes, size }), 400, 'BLOCKS_MISMATCH');
    });

    it('refuses a block held with another size than its place in the file needs', async () => {
      const data = Buffer.from('ten bytes!');
      const blocks = await d.upload(data);
      const res = await d.sendRaw('POST', '/v1/files/commit', { path: '/f', blocks, size: 20 });
      expectError(res, 400, 'BLOCKS_MISMATCH');
      // A short block in the middle of a file.
      const res2 = await d.sendRaw('POST', '/v1/files/commit', { path: '/g', blocks: [blocks[0], blocks[0]], size: BLOCK_SIZE + 10 });
      expectError(res2, 400, 'BLOCKS_MISMATCH');
      expect(await d.headSeq()).toBe(0);
    });

    it('refuses a malformed hash in the block list with 400 BLOCKS_MISMATCH', async () => {
      expectError(await d.sendRaw('POST', '/v1/files/commit', { path: '/f', blocks: ['nothex'], size: 3 }), 400, 'BLOCKS_MISMATCH');
    });

    it.each([
      ['a negative size', { blocks: [], size: -1 }],
      ['a fractional size', { blocks: [], size: 1.5 }],
      ['a size as a string', { blocks: [], size: '0' }],
      ['blocks that are not an array', { blocks: 'abc', size: 0 }],
      ['a bad mtime', { blocks: [], size: 0, mtime: 'yesterday' }],
    ])('refuses %s with 400 VALIDATION_FAILED', async (_name, body) => {
      expectError(await d.sendRaw('POST', '/v1/files/commit', { path: '/f', ...body }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('names', () => {
    const BAD_NAMES: [string, string, string][] = [
      ['empty', '', 'empty'],
      ['"."', '.', 'dot-name'],
      ['".."', '..', 'dot-name'],
      ['with a slash', 'a/b', 'slash'],
      ['with a backslash', 'a\\b', 'slash'],
      ['with NUL', 'a\u0000b', 'control-character'],
      ['with a newline', 'a\nb', 'control-character'],
      ['with a trailing dot', 'trailing.', 'trailing-space-or-dot'],
      ['with a trailing space', 'trailing ', 'trailing-space-or-dot'],
      ['of 256 bytes', 'x'.repeat(256), 'too-long'],
      ['of 256 bytes in 2-byte characters', '\u00e9'.repeat(128), 'too-long'],
    ];

    it.each(BAD_NAMES)('refuses a name %s with 400 INVALID_NAME wherever a name is given', async (_label, name, problem) => {
      const folder = await d.mkdir({ path: '/existing' });
      expect(folder.status).toBe(201);
      const file = await d.putFile({ path: '/file.txt' }, Buffer.from('x'));
      expect(file.status).toBe(201);
      expect((await d.remove({ id: file.body.entry.id })).status).toBe(201);
      const head = await d.headSeq();
      const attempts = [
        d.mkdir({ name }),
        d.mkdir({ parentId: folder.body.entry.id, name }),
        d.sendRaw('POST', '/v1/files/commit', { name, blocks: [], size: 0 }),
        d.sendRaw('POST', '/v1/files/move', { id: folder.body.entry.id, name }),
        d.sendRaw('POST', '/v1/files/restore', { id: file.body.entry.id, name }),
      ];
      for (const res of await Promise.all(attempts)) {
        expectError(res, 400, 'INVALID_NAME');
        expect(errorOf(res).details).toEqual({ problem });
      }
      expect(await d.headSeq()).toBe(head);
    });

    it.each([
      ['a ".." component', '/existing/../x'],
      ['a "." component', '/./x'],
      ['a NUL', '/a\u0000b'],
      ['a trailing space', '/x /y'],
    ])('refuses a path with %s with 400 INVALID_NAME', async (_label, path) => {
      expectError(await d.mkdir({ path }), 400, 'INVALID_NAME');
      expectError(await d.sendRaw('GET', `/v1/files/metadata?path=${encodeURIComponent(path)}`), 400, 'INVALID_NAME');
    });

    it('accepts a name of exactly 255 bytes', async () => {
      const res = await d.mkdir({ name: 'y'.repeat(255) });
      expect(res.status).toBe(201);
    });
  });

  describe('ids', () => {
    it.each([
      ['not a UUID', 'abc'],
      ['an upper-case UUID', '0190A0B0-C0D0-7000-8000-000000000000'],
      ['a UUID without dashes', '0190a0b0c0d070008000000000000000'],
    ])('refuses an id that is %s with 400 INVALID_ID', async (_label, id) => {
      const folder = (await d.mkdir({ path: '/F' })).body.entry;
      const attempts = [
        d.sendRaw('POST', '/v1/files/move', { id, name: 'x' }),
        d.sendRaw('POST', '/v1/files/move', { id: folder.id, parentId: id }),
        d.sendRaw('POST', '/v1/files/delete', { id }),
        d.sendRaw('POST', '/v1/files/restore', { id }),
        d.sendRaw('POST', '/v1/files/revisions/restore', { id, revision: 1 }),
        d.sendRaw('POST', '/v1/files/commit', { id, path: '/n', blocks: [], size: 0 }),
        d.mkdir({ id, path: '/G' }),
        d.mkdir({ parentId: id, name: 'G' }),
        d.sendRaw('GET', `/v1/files/metadata?id=${id}`),
        d.sendRaw('GET', `/v1/files/list?id=${id}`),
        d.sendRaw('GET', `/v1/files/revisions?id=${id}`),
      ];
      for (const res of await Promise.all(attempts)) expectError(res, 400, 'INVALID_ID');
      const dl = await d.download({ id: id });
      expect(dl.status).toBe(400);
      expect(JSON.parse(dl.body.toString()).code).toBe('INVALID_ID');
    });

    it('refuses an id longer than a UUID with 400 VALIDATION_FAILED', async () => {
      expectError(await d.sendRaw('POST', '/v1/files/delete', { id: 'a'.repeat(37) }), 400, 'VALIDATION_FAILED');
    });

    it("answers another user's node ids as if they did not exist (404)", async () => {
      const other = await newDevice(t.api);
      const folder = (await other.device.mkdir({ path: '/Theirs' })).body.entry;
      const file = (await other.device.putFile({ path: '/Theirs/secret.txt' }, Buffer.from('secret'))).body.entry;
      const trashed = (await other.device.putFile({ path: '/trashed.txt' }, Buffer.from('t'))).body.entry;
      expect((await other.device.sendRaw('POST', '/v1/files/delete', { id: trashed.id })).status).toBe(201);
      const mine = (await d.mkdir({ path: '/Mine' })).body.entry;
      const headOther = await other.device.headSeq();

      for (const res of await Promise.all([
        d.sendRaw('POST', '/v1/files/move', { id: file.id, parentId: mine.id }),
        d.sendRaw('POST', '/v1/files/move', { id: folder.id, name: 'stolen' }),
        d.sendRaw('POST', '/v1/files/delete', { id: file.id }),
        d.sendRaw('POST', '/v1/files/delete', { id: folder.id }),
        d.sendRaw('POST', '/v1/files/restore', { id: trashed.id }),
        d.sendRaw('POST', '/v1/files/revisions/restore', { id: file.id, revision: 1 }),
        d.sendRaw('GET', `/v1/files/metadata?id=${file.id}`),
        d.sendRaw('GET', `/v1/files/metadata?id=${trashed.id}`),
        d.sendRaw('GET', `/v1/files/list?id=${folder.id}`),
        d.sendRaw('GET', `/v1/files/revisions?id=${file.id}`),
      ])) {
        expectError(res, 404, 'NODE_NOT_FOUND');
      }
      const dl = await d.download({ id: file.id });
      expect(dl.status).toBe(404);
      expect(JSON.parse(dl.body.toString()).code).toBe('NODE_NOT_FOUND');
      // Their folder as my parent: not found either.
      expectError(await d.mkdir({ parentId: folder.id, name: 'x' }), 404, 'PARENT_NOT_FOUND');
      expectError(await d.sendRaw('POST', '/v1/files/move', { id: mine.id, parentId: folder.id }), 404, 'PARENT_NOT_FOUND');
      // Nothing of theirs changed.
      expect(await other.device.headSeq()).toBe(headOther);
      expect((await other.device.download({ id: file.id })).body.toString()).toBe('secret');
    });
  });

  describe('base cursors', () => {
    const craft = (ns: string, seq: number) => Buffer.from(`1.${ns}.${seq}.0`, 'utf8').toString('base64url');

    it.each([
      ['garbage', () => 'garbage'],
      ['empty', () => ''],
      ['of another user', async () => (await newDevice(t.api)).device.cursor],
      ['of another namespace, crafted', () => craft(uuidv7(), 0)],
      ['ahead of the journal', () => craft(account.user.id, 5)],
    ])('refuses a baseCursor that is %s with 400 CURSOR_INVALID', async (_label, make) => {
      const baseCursor = await make();
      const res = await d.api.post('/v1/folders', { baseCursor, path: '/x' }, d.token);
      expectError(res, 400, 'CURSOR_INVALID');
      expect(await d.headSeq()).toBe(0);
    });

    it('refuses a write without a baseCursor with 400 VALIDATION_FAILED', async () => {
      expectError(await d.api.post('/v1/folders', { path: '/x' }, d.token), 400, 'VALIDATION_FAILED');
    });
  });

  describe('unknown fields and malformed bodies', () => {
    it.each([
      ['/v1/folders', { path: '/x', kind: 'folder' }],
      ['/v1/files/commit', { path: '/x', blocks: [], size: 0, owner: 'me' }],
      ['/v1/files/move', { id: uuidv7(), name: 'x', force: true }],
      ['/v1/files/delete', { id: uuidv7(), recursive: true }],
      ['/v1/files/restore', { id: uuidv7(), everything: true }],
      ['/v1/files/revisions/restore', { id: uuidv7(), revision: 1, keep: true }],
    ])('refuses an unknown field on %s with 400 VALIDATION_FAILED', async (path, body) => {
      const res = await d.sendRaw('POST', path, body);
      expectError(res, 400, 'VALIDATION_FAILED');
      expect(JSON.stringify(res.body.details.fields)).toMatch(/should not exist/);
    });

    it('refuses unknown fields and wrong types on check', async () => {
      expectError(await t.api.post('/v1/blocks/check', { hashes: [], extra: 1 }, d.token), 400, 'VALIDATION_FAILED');
      expectError(await t.api.post('/v1/blocks/check', { hashes: 'abc' }, d.token), 400, 'VALIDATION_FAILED');
      expectError(await t.api.post('/v1/blocks/check', { hashes: [1, 2] }, d.token), 400, 'VALIDATION_FAILED');
      expectError(await t.api.post('/v1/blocks/check', {}, d.token), 400, 'VALIDATION_FAILED');
      const tooMany = Array.from({ length: 10_001 }, (_, i) => sha256(Buffer.from(String(i))));
      expectError(await t.api.post('/v1/blocks/check', { hashes: tooMany }, d.token), 400, 'VALIDATION_FAILED');
    });

    it('refuses unknown query parameters on reads', async () => {
      expectError(await d.sendRaw('GET', '/v1/files/list?path=/&deep=1'), 400, 'VALIDATION_FAILED');
      expectError(await d.sendRaw('GET', '/v1/files/metadata?path=/&x=1'), 400, 'VALIDATION_FAILED');
      expectError(await d.sendRaw('GET', '/v1/trash?all=true'), 400, 'VALIDATION_FAILED');
    });

    it('refuses malformed JSON with 400 MALFORMED_JSON', async () => {
      const res = await t.api.request('POST', '/v1/files/commit', {
        token: d.token,
        raw: '{"baseCursor": "x", "blocks": [',
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 400, 'MALFORMED_JSON');
    });

    it('refuses a write without an access token with 401', async () => {
      const res = await t.api.post('/v1/folders', { baseCursor: d.cursor, path: '/x' });
      expect(res.status).toBe(401);
    });
  });

  it('refuses a block upload in place of a commit: the commit needs JSON', async () => {
    const res = await t.api.request('POST', '/v1/files/commit', {
      token: d.token,
      raw: randomBytes(100),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});
