/**
 * `npm run bench:mqtt`: commit → poke latency to 1,000 and 5,000 connected devices (p50/p99),
 * the same fan-out through the system Mosquitto on 127.0.0.1:1883 as the reference, and the
 * server's memory per connected device. The devices live in a separate process (mqtt-load).
 *
 * Options: --sizes 1000,5000 (default), --rounds 10.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import jwt from 'jsonwebtoken';
import mqtt from 'mqtt';
import { MongoClient } from 'mongodb';
import { fmtBytes, printTable, rssOf, startWorld } from './lib/harness.js';
import type { LoadMessage, LoadPlan } from './mqtt-load.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const sizes = (args.get('sizes') ?? '1000,5000').split(',').map(Number);
const rounds = Number(args.get('rounds') ?? 10);
const MOSQUITTO = 'mqtt://127.0.0.1:1883';

const wall = (): number => performance.timeOrigin + performance.now();

class Load {
  private readonly child: ChildProcess;
  private readonly waiting: ((m: LoadMessage) => void)[] = [];

  constructor() {
    this.child = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'mqtt-load.js'), { stdio: 'inherit' });
    this.child.on('message', (m: LoadMessage) => this.waiting.shift()?.(m));
  }

  private ask<T extends LoadMessage>(msg: object): Promise<T> {
    return new Promise((resolve) => {
      this.waiting.push((m) => resolve(m as T));
      this.child.send(msg);
    });
  }

  start(plan: LoadPlan) {
    return this.ask<Extract<LoadMessage, { type: 'ready' }>>({ type: 'start', plan });
  }

  async arrivals(seq: number, expected: number): Promise<number[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await this.ask<Extract<LoadMessage, { type: 'arrivals' }>>({ type: 'collect', seq });
      if (r.at.length >= expected || Date.now() > deadline) return r.at;
      await new Promise((res) => setTimeout(res, 50));
    }
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' });
    await exited;
  }
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

async function main(): Promise<void> {
  process.stdout.write(`pocketCloud MQTT benchmark — ${sizes.join(' and ')} devices, ${rounds} rounds each\n`);
  const world = await startWorld({
    store: 'fs',
    extraEnv: { MQTT_CONNECTS_PER_IP_PER_MINUTE: '1000000', MQTT_MAX_CONNECTIONS: '100000', ACCESS_TOKEN_TTL_SECONDS: '86400' },
  });
  const port = world.server.logged('MQTT over TCP is listening', 'port') as number;
  const api = world.server.api;
  const owner = await api.register();
  const userId = owner.user.id;
  const db = new MongoClient(world.db.uri);
  await db.connect();
  const rows: [string, string][] = [];

  for (const n of sizes) {
    // Devices straight into the database with tokens signed by the server's secret:
    // thousands of logins would measure scrypt, not the broker.
    const now = new Date();
    const devices = Array.from({ length: n }, () => randomUUID());
    await db
      .db('bench')
      .collection('devices')
      .insertMany(
        devices.map((id) => ({
          _id: id as unknown as never,
          userId,
          name: 'bench',
          platform: 'other',
          createdAt: now,
          lastSeenAt: now,
          revokedAt: null,
          revokeReason: null,
          fcmToken: null,
        })),
      );
    const plan: LoadPlan = {
      url: `mqtt://127.0.0.1:${port}`,
      clients: devices.map((id) => ({
        clientId: id,
        password: jwt.sign({ sub: userId, did: id, typ: 'access' }, world.env.JWT_SECRET!, { algorithm: 'HS256', expiresIn: 86_400 }),
        topic: `sync/v1/u/${userId}`,
      })),
    };
    const before = rssOf(world.server.pid!);
    const load = new Load();
    const ready = await load.start(plan);
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssOf(world.server.pid!);

    const latencies: number[] = [];
    let cursor = (await api.get('/v1/delta/latest', owner.tokens.accessToken)).body.cursor as string;
    for (let r = 0; r < rounds; r++) {
      await new Promise((res) => setTimeout(res, 400)); // past the coalescing window: each commit pokes at once
      const sent = wall();
      const res = await api.post('/v1/folders', { path: `/bench-${n}-${r}`, baseCursor: cursor }, owner.tokens.accessToken);
      const seq = res.body.seq as number;
      cursor = (await api.get('/v1/delta/latest', owner.tokens.accessToken)).body.cursor as string;
      for (const at of await load.arrivals(seq, ready.connected)) latencies.push(at - sent);
    }
    await load.stop();
    rows.push([`pocketCloud, ${n} devices: connected`, `${ready.connected} (${ready.failed} failed) in ${(ready.ms / 1000).toFixed(1)} s`]);
    rows.push([`  commit → poke p50 / p99 (${latencies.length} deliveries)`, `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`]);
    rows.push([`  server memory per connected device`, `${fmtBytes((after - before) / Math.max(1, ready.connected))} (RSS ${fmtBytes(before)} → ${fmtBytes(after)})`]);

    // The same fan-out through the system Mosquitto, in the same run.
    const topic = `bench/${randomUUID()}`;
    const mload = new Load();
    const mready = await mload.start({ url: MOSQUITTO, clients: devices.map((id) => ({ clientId: `m-${id}`, topic })) });
    const publisher = await mqtt.connectAsync(MOSQUITTO, { clientId: `pub-${randomUUID()}`, protocolVersion: 4 });
    const mlat: number[] = [];
    for (let r = 0; r < rounds; r++) {
      await new Promise((res) => setTimeout(res, 400));
      const sent = wall();
      await publisher.publishAsync(topic, JSON.stringify({ ns: userId, seq: r + 1 }), { qos: 1 });
      for (const at of await mload.arrivals(r + 1, mready.connected)) mlat.push(at - sent);
    }
    await publisher.endAsync();
    await mload.stop();
    rows.push([`Mosquitto (127.0.0.1:1883), ${n} subscribers: connected`, `${mready.connected} (${mready.failed} failed)`]);
    rows.push([`  publish → delivery p50 / p99 (${mlat.length} deliveries)`, `${ms(percentile(mlat, 50))} / ${ms(percentile(mlat, 99))}`]);
  }
  await db.close();
  printTable('MQTT fan-out (loopback, QoS 1; pocketCloud includes the HTTP commit, Mosquitto only the publish)', rows);
  await world.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
