/**
 * The load generator of `npm run bench:mqtt`, run as its own process (forked by the bench):
 * opens many MQTT connections with mqtt.js, subscribes each to its topic, and reports when
 * each message arrived (wall-clock ms, comparable across processes on one machine).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { mapLimit } from '../src/common/async.js';

export interface LoadPlan {
  url: string;
  clients: { clientId: string; password?: string; topic: string }[];
}

export type LoadMessage =
  | { type: 'ready'; connected: number; failed: number; ms: number }
  | { type: 'arrivals'; seq: number; at: number[] };

const now = (): number => performance.timeOrigin + performance.now();
const arrivals = new Map<number, number[]>();
const clients: MqttClient[] = [];

process.on('message', (msg: { type: 'start'; plan: LoadPlan } | { type: 'collect'; seq: number } | { type: 'stop' }) => {
  void (async () => {
    switch (msg.type) {
      case 'start': {
        const t0 = performance.now();
        let failed = 0;
        await mapLimit(msg.plan.clients, 100, async (c) => {
          try {
            const client = await connect(msg.plan.url, c);
            client.on('message', (_topic, payload) => {
              const { seq } = JSON.parse(payload.toString()) as { seq: number };
              const list = arrivals.get(seq) ?? [];
              list.push(now());
              arrivals.set(seq, list);
            });
            await client.subscribeAsync(c.topic, { qos: 1 });
            clients.push(client);
          } catch {
            failed++;
          }
        });
        send({ type: 'ready', connected: clients.length, failed, ms: performance.now() - t0 });
        return;
      }
      case 'collect':
        send({ type: 'arrivals', seq: msg.seq, at: arrivals.get(msg.seq) ?? [] });
        return;
      case 'stop':
        await Promise.all(clients.map((c) => c.endAsync(true)));
        process.exit(0);
    }
  })();
});

function send(m: LoadMessage): void {
  process.send!(m);
}

function connect(url: string, c: LoadPlan['clients'][number]): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      clientId: c.clientId,
      username: 'bench',
      password: c.password,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      protocolVersion: 4,
      keepalive: 300,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}
