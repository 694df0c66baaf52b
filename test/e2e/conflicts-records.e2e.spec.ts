import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBrokerService } from '../../src/modules/notifications/mqtt-broker.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';
import { MqttDevice } from '../support/mqtt-device.js';
import type { ApiReply } from '../../client/src/sdk/reply.js';
import type { ConflictPage, ConflictResolution, ResolveConflictOp, WriteResult } from '../../client/src/sdk/types.js';
import { Device, type Op } from '../support/device.js';
import {
  allConflicts,
  applied,
  conflictRecord,
  expectConverged,
  phoneAndPc,
  text,
  trashIds,
  type Peer,
  type TwoDevices,
} from '../support/conflict-devices.js';

const deviceTopic = (d: string) => `sync/v1/d/${d}`;

/**
 * Conflict records: GET /v1/conflicts (newest first, paginated, `unresolved`), resolving them
 * (a journaled write of its own), and the device-directed MQTT notice.
 */
describe('conflict records (e2e)', () => {
  let t: TestApp;
  let mqttUrl: string;
  const open: MqttDevice[] = [];

  beforeAll(async () => {
    t = await startTestApp(testConfig('conflicts_records', 'fs', { MQTT_CONNECTS_PER_IP_PER_MINUTE: '100000' }));
    mqttUrl = `mqtt://127.0.0.1:${t.app.get(MqttBrokerService).tcpAddress()!.port}`;
  });
  afterAll(async () => {
    await Promise.all(open.map((d) => d.end()));
    await t?.close();
  });

  const kinds = (body: WriteResult) => body.conflicts.map((c) => c.kind);
  const meta = async (p: Peer, id: string) => (await p.device.get('/v1/files/metadata', { id })).body;
  const resolve = (p: Peer, id: string, body: Op<ResolveConflictOp>) => p.device.resolve(id, body);

  /** /Docs/report.txt edited on the PC and, offline, on the phone: an EDIT_EDIT conflict. */
  async function editEdit(devices?: TwoDevices) {
    const d = devices ?? (await phoneAndPc(t.api));
    const { phone, pc } = d;
    const docs = applied(await pc.device.mkdir({ path: '/Docs' })).entry;
    const doc = applied(await pc.device.putFile({ path: '/Docs/report.txt' }, Buffer.from('v1'))).entry;
    await pc.pull();
    await phone.pull();
    applied(await pc.edit(doc.id, 'theirs (pc)'));
    const body = applied(await phone.edit(doc.id, 'mine (phone)'));
    expect(kinds(body)).toEqual(['EDIT_EDIT']);
    const record = await conflictRecord(pc.device, body.conflicts[0]!.id);
    return { ...d, docs, doc, conflictId: body.conflicts[0]!.id, copyId: record.nodeIds[1]!, record, body };
  }

  describe('listing', () => {
    it('lists newest first, in pages, and filters the unresolved ones', async () => {
      const devices = await phoneAndPc(t.api);
      const { phone, pc } = devices;
      applied(await pc.device.mkdir({ path: '/same' }));
      // Four name collisions of the phone, each its own write, then an edit/edit.
      const made: { id: string; kind: string; seq: number }[] = [];
      for (let i = 0; i < 4; i++) {
        const res = applied(await phone.device.mkdir({ path: '/Same' }));
        made.push({ ...res.conflicts[0]!, seq: res.seq! });
      }
      const ee = await editEdit(devices);
      made.push({ ...ee.body.conflicts[0]!, seq: ee.body.seq! });

      const all = (await pc.device.get('/v1/conflicts')).body;
      expect(all.hasMore).toBe(false);
      expect(all.cursor).toBeNull();
      expect(all.conflicts.map((c) => c.id)).toEqual([...made].reverse().map((c) => c.id));
      expect(all.conflicts.map((c) => c.kind)).toEqual(['EDIT_EDIT', 'NAME_COLLISION', 'NAME_COLLISION', 'NAME_COLLISION', 'NAME_COLLISION']);
      for (const c of all.conflicts) {
        expect(Object.keys(c).sort()).toEqual(['at', 'deviceId', 'id', 'kind', 'nodeIds', 'opKind', 'resolution', 'resolvedAt', 'seq']);
        expect(c).toMatchObject({ deviceId: phone.deviceId, resolvedAt: null, resolution: null });
      }

      // Pages of two: 2 + 2 + 1, the same records in the same order.
      const pages: ConflictPage[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiReply<ConflictPage> = await pc.device.get('/v1/conflicts', { limit: 2, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        pages.push(res.body);
        cursor = res.body.cursor;
        expect(res.body.hasMore).toBe(cursor !== null);
      } while (cursor);
      expect(pages.map((p) => p.conflicts.length)).toEqual([2, 2, 1]);
      expect(pages.flatMap((p) => p.conflicts)).toEqual(all.conflicts);

      // Resolve two; `unresolved=true` leaves them out, the full list shows how they were resolved.
      const ack = applied(await resolve(pc, made[1]!.id, { resolution: 'acknowledge' }));
      applied(await resolve(pc, made[4]!.id, { resolution: 'keepBoth' }));
      const unresolved = await allConflicts(pc.device, { unresolved: true, limit: 1 });
      expect(unresolved.map((c) => c.id)).toEqual([made[3]!.id, made[2]!.id, made[0]!.id]);
      const everything = await allConflicts(pc.device, { unresolved: false });
      expect(everything).toHaveLength(5);
      expect(everything.find((c) => c.id === made[1]!.id)).toMatchObject({ resolution: 'acknowledge', resolvedAt: expect.any(String) });
      expect(everything.find((c) => c.id === made[4]!.id)).toMatchObject({ resolution: 'keepBoth' });
      expect(ack.seq).toBeGreaterThan(made[4]!.seq);

      // Someone else's list is their own.
      const stranger = await phoneAndPc(t.api);
      expect((await stranger.phone.device.get('/v1/conflicts')).body).toEqual({ conflicts: [], cursor: null, hasMore: false });
    });

    it('refuses a page cursor it did not make (400 INVALID_PAGE_CURSOR) and a bad limit (400 VALIDATION_FAILED)', async () => {
      const { phone } = await phoneAndPc(t.api);
      const bad = await phone.device.get('/v1/conflicts', { cursor: 'nonsense' });
      expect(bad.status).toBe(400);
      expect(bad.error.code).toBe('INVALID_PAGE_CURSOR');
      for (const q of ['limit=0', 'limit=501', 'unresolved=maybe']) {
        // Out of range, or not a boolean: sent raw.
        const res = await phone.device.sendRaw('GET', `/v1/conflicts?${q}`);
        expect(res.status, q).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('resolving EDIT_EDIT', () => {
    /** The changes of the resolution's journal entry, as the PC's delta shows them. */
    const entriesOf = async (pc: Peer, seq: number) => (await pc.device.readDelta(pc.device.cursor)).entries.filter((e) => e.seq === seq);

    it('keepMine: the phone content becomes the file, the copy goes to the trash; the resolution is a new seq in the delta', async () => {
      const { phone, pc, doc, copyId, conflictId } = await editEdit();
      await pc.pull();
      const head = await pc.device.headSeq();
      const res = applied(await resolve(phone, conflictId, { resolution: 'keepMine' }));
      expect(res.seq).toBe(head + 1);
      expect(res.entry).toMatchObject({ id: doc.id, name: 'report.txt', deleted: false });
      expect(await text(pc.device, doc.id)).toBe('mine (phone)');
      expect((await meta(pc, copyId)).deleted).toBe(true);
      expect(await trashIds(pc.device)).toEqual([copyId]);
      const entries = await entriesOf(pc, res.seq!);
      expect(entries.map((e) => [e.id, e.deleted]).sort()).toEqual([[copyId, true], [doc.id, false]].sort());
      // The file's versions: v1, the PC's, and mine again.
      const revisions = (await pc.device.get('/v1/files/revisions', { id: doc.id })).body;
      expect(revisions).toHaveLength(3);
      expect(revisions[0]).toMatchObject({ revision: res.seq, current: true });
      expect(await conflictRecord(pc.device, conflictId)).toMatchObject({ resolution: 'keepMine', resolvedAt: expect.any(String) });
      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(2);
    });

    it('keepTheirs: the PC content stays, the copy goes to the trash', async () => {
      const { phone, pc, doc, copyId, conflictId } = await editEdit();
      await pc.pull();
      const res = applied(await resolve(pc, conflictId, { resolution: 'keepTheirs' }));
      expect(await text(pc.device, doc.id)).toBe('theirs (pc)');
      expect((await meta(pc, copyId)).deleted).toBe(true);
      expect(await trashIds(pc.device)).toEqual([copyId]);
      const entries = await entriesOf(pc, res.seq!);
      expect(entries.find((e) => e.id === copyId)).toMatchObject({ deleted: true });
      expect(await conflictRecord(pc.device, conflictId)).toMatchObject({ resolution: 'keepTheirs' });
      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(2);
    });

    it('keepBoth: both files stay as they are; the resolution is still a new seq in the delta', async () => {
      const { phone, pc, doc, copyId, conflictId } = await editEdit();
      await pc.pull();
      const head = await pc.device.headSeq();
      const res = applied(await resolve(phone, conflictId, { resolution: 'keepBoth' }));
      expect(res.seq).toBe(head + 1);
      expect(await text(pc.device, doc.id)).toBe('theirs (pc)');
      expect(await text(pc.device, copyId)).toBe('mine (phone)');
      const entries = await entriesOf(pc, res.seq!);
      expect(entries.map((e) => e.id)).toContain(doc.id);
      expect(entries.every((e) => !e.deleted)).toBe(true);
      expect(await conflictRecord(pc.device, conflictId)).toMatchObject({ resolution: 'keepBoth' });
      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(3);
    });

    it('keepMine after the PC deleted the folder holding both: the file comes back with its folder (no orphan)', async () => {
      const { phone, pc, doc, docs, copyId, conflictId } = await editEdit();
      await pc.pull();
      const del = applied(await pc.delete(docs.id));
      expect(del.conflicts).toEqual([]);
      expect(await trashIds(pc.device)).toEqual([docs.id]);
      const res = applied(await resolve(phone, conflictId, { resolution: 'keepMine' }));
      expect(res.entry).toMatchObject({ id: doc.id, deleted: false, path: '/Docs/report.txt' });
      expect((await meta(pc, docs.id)).deleted).toBe(false);
      expect((await meta(pc, copyId)).deleted).toBe(true);
      expect(await trashIds(pc.device)).toEqual([copyId]);
      expect(await text(pc.device, doc.id)).toBe('mine (phone)');
      const rows = await expectConverged([phone, pc]);
      expect(rows).toHaveLength(2);
    });
  });

  describe('resolving the other kinds', () => {
    it('acknowledge: the tree stays, the record is resolved, the node is re-sent at a new seq', async () => {
      const { phone, pc } = await phoneAndPc(t.api);
      const x = applied(await pc.device.putFile({ path: '/x.txt' }, Buffer.from('x'))).entry;
      await pc.pull();
      await phone.pull();
      applied(await pc.move(x.id, { name: 'pc.txt' }));
      const lost = applied(await phone.move(x.id, { name: 'phone.txt' }));
      expect(kinds(lost)).toEqual(['MOVE_MOVE']);
      await pc.pull();
      const res = applied(await resolve(phone, lost.conflicts[0]!.id, { resolution: 'acknowledge' }));
      expect(res.seq).toBe(lost.seq! + 1);
      expect(res.entry).toMatchObject({ id: x.id, name: 'pc.txt' });
      const entries = (await pc.device.readDelta(pc.device.cursor)).entries;
      expect(entries.map((e) => [e.seq, e.id, e.name])).toEqual([[res.seq, x.id, 'pc.txt']]);
      expect(await conflictRecord(pc.device, lost.conflicts[0]!.id)).toMatchObject({ resolution: 'acknowledge' });
      await expectConverged([phone, pc]);
    });

    it('refuses a resolution that does not fit the kind with 400 RESOLUTION_NOT_APPLICABLE; nothing changes', async () => {
      const { phone, pc, conflictId } = await editEdit();
      applied(await pc.device.mkdir({ path: '/n' }));
      const collision = applied(await pc.device.mkdir({ path: '/N' }));
      const head = await pc.device.headSeq();
      const cases: [string, ConflictResolution, string[]][] = [
        [conflictId, 'acknowledge', ['keepMine', 'keepTheirs', 'keepBoth']],
        [collision.conflicts[0]!.id, 'keepMine', ['acknowledge']],
        [collision.conflicts[0]!.id, 'keepBoth', ['acknowledge']],
      ];
      for (const [id, resolution, allowed] of cases) {
        const res = await resolve(phone, id, { resolution });
        expect(res.status, `${resolution}: ${JSON.stringify(res.raw)}`).toBe(400);
        expect(res.error.code).toBe('RESOLUTION_NOT_APPLICABLE');
        expect(res.error.details?.allowed).toEqual(allowed);
      }
      // Not a resolution the SDK's types know: sent raw.
      const unknown = await phone.device.sendRaw('POST', `/v1/conflicts/${conflictId}/resolve`, { resolution: 'keepAll' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('VALIDATION_FAILED');
      expect(await pc.device.headSeq()).toBe(head);
      expect((await allConflicts(pc.device, { unresolved: true })).map((c) => c.id).sort()).toEqual([conflictId, collision.conflicts[0]!.id].sort());
    });

    it('refuses a second resolution with 409 CONFLICT_ALREADY_RESOLVED; a retry with the same opId gets the first answer', async () => {
      const { phone, pc, conflictId } = await editEdit();
      const first = applied(await resolve(phone, conflictId, { resolution: 'keepTheirs', opId: 'resolve-1' }));
      const head = await pc.device.headSeq();
      const retry = await resolve(phone, conflictId, { resolution: 'keepTheirs', opId: 'resolve-1' });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first);
      for (const [who, body] of [
        [phone, { resolution: 'keepMine' }],
        [pc, { resolution: 'keepTheirs' }],
        [phone, { resolution: 'keepBoth', opId: 'resolve-2' }],
      ] as const) {
        const again = await resolve(who, conflictId, body);
        expect(again.status).toBe(409);
        expect(again.error.code).toBe('CONFLICT_ALREADY_RESOLVED');
      }
      expect(await pc.device.headSeq()).toBe(head);
      expect(await conflictRecord(pc.device, conflictId)).toMatchObject({ resolution: 'keepTheirs' });
    });

    it("answers another user's conflict, and ids that are none, with 404 CONFLICT_NOT_FOUND", async () => {
      const { conflictId, pc } = await editEdit();
      const stranger = await phoneAndPc(t.api);
      const head = await pc.device.headSeq();
      for (const id of [conflictId, 'nonsense', `${stranger.root}.1.0`, `${pc.model.rootId}.99999.0`]) {
        const res = await resolve(stranger.phone, id, { resolution: 'keepMine' });
        expect(res.status, id).toBe(404);
        expect(res.error.code).toBe('CONFLICT_NOT_FOUND');
      }
      expect(await pc.device.headSeq()).toBe(head);
      expect((await conflictRecord(pc.device, conflictId)).resolvedAt).toBeNull();
    });
  });

  describe('the device-directed MQTT notice', () => {
    it('goes to every device of the user on sync/v1/d/<deviceId>, naming the device whose operation met it', async () => {
      const { phone, pc, account } = await phoneAndPc(t.api);
      const pcTokens = await t.api.login(account.email, account.password, 'pc listener');
      const stranger = await t.api.register();
      const connect = async (deviceId: string, token: string) => {
        const m = await MqttDevice.connect(mqttUrl, deviceId, token);
        open.push(m);
        const raw: { topic: string; payload: any }[] = [];
        m.client.on('message', (topic, payload) => raw.push({ topic, payload: JSON.parse(payload.toString()) }));
        expect(await m.subscribe([deviceTopic(deviceId)])).toEqual([1]);
        return { m, raw };
      };
      const phoneMqtt = await connect(phone.deviceId, phone.device.token);
      const pcMqtt = await connect(pcTokens.deviceId, pcTokens.tokens.accessToken);
      const strangerMqtt = await connect(stranger.deviceId, stranger.tokens.accessToken);
      const notices = (r: { raw: { topic: string; payload: any }[] }) => r.raw.filter((x) => x.payload.type === 'conflict');

      // The phone's operation meets a conflict: every device of the user is told.
      applied(await pc.device.mkdir({ path: '/Shared' }));
      const phoneWrite = applied(await phone.device.mkdir({ path: '/shared' }));
      const expected = (deviceId: string, write: WriteResult, from: string) => ({
        topic: deviceTopic(deviceId),
        payload: { type: 'conflict', conflictId: write.conflicts[0]!.id, kind: 'NAME_COLLISION', seq: write.seq, deviceId: from },
      });
      for (const [listener, id] of [
        [phoneMqtt, phone.deviceId],
        [pcMqtt, pcTokens.deviceId],
      ] as const) {
        await listener.m.waitFor((p) => p.topic === deviceTopic(id) && p.seq === phoneWrite.seq);
        expect(notices(listener)).toEqual([expected(id, phoneWrite, phone.deviceId)]);
      }

      // Then the listening PC's own operation meets one: both hear of it, naming the PC.
      const pcDevice = Device.of(t.api, pcTokens, 'pc');
      await pcDevice.latest();
      const pcWrite = applied(await pcDevice.mkdir({ path: '/SHARED' }));
      await pcMqtt.m.waitFor((p) => p.topic === deviceTopic(pcTokens.deviceId) && p.seq === pcWrite.seq);
      await phoneMqtt.m.waitFor((p) => p.topic === deviceTopic(phone.deviceId) && p.seq === pcWrite.seq);
      expect(notices(pcMqtt)[1]).toEqual(expected(pcTokens.deviceId, pcWrite, pcTokens.deviceId));
      expect(notices(phoneMqtt)[1]).toEqual(expected(phone.deviceId, pcWrite, pcTokens.deviceId));
      // Another user's device hears nothing.
      expect(notices(strangerMqtt)).toEqual([]);
      const record = await conflictRecord(phone.device, pcWrite.conflicts[0]!.id);
      expect(record.deviceId).toBe(pcTokens.deviceId);
    });
  });
});
