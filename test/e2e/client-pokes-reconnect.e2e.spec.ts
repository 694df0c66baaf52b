import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttBrokerService } from '../../src/modules/notifications/mqtt-broker.service.js';
import { PocketCloudClient } from '../../client/src/sdk/client.js';
import { PokeSubscriber } from '../../client/src/sdk/pokes.js';
import { MemorySessionStore } from '../../client/src/sdk/session.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { testConfig } from '../support/test-env.js';

/** The broker closes a connection when its token expires (30 s here): the subscriber comes back with a fresh one. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(testConfig('client-pokes', 'fs', { ACCESS_TOKEN_TTL_SECONDS: '30', POKE_COALESCE_MS: '0' }));
});
afterAll(async () => {
  await t?.close();
});

describe('poke subscription across a token expiry', () => {
  it('reconnects with a fresh token and keeps receiving pokes', async () => {
    const account = await t.api.register();
    const session = new MemorySessionStore();
    const client = await PocketCloudClient.login(t.url, { email: account.email, password: account.password, deviceName: 'phone' }, session);
    const c = new PocketCloudClient({ session, refreshMarginMs: 3000 });
    const s = session.load()!;
    const firstToken = s.accessToken;
    const tokens: string[] = [];
    const sub = new PokeSubscriber({
      url: `mqtt://127.0.0.1:${t.app.get(MqttBrokerService).tcpAddress()!.port}`,
      deviceId: s.deviceId,
      userId: s.userId,
      token: async () => {
        const tok = await c.accessToken();
        tokens.push(tok);
        return tok;
      },
      minBackoffMs: 100,
      maxBackoffMs: 1000,
    });
    const seqs: number[] = [];
    sub.on('poke', (seq) => seqs.push(seq));
    const disconnected = new Promise<void>((r) => sub.once('disconnected', () => r()));
    sub.start();
    await disconnected; // the token expired: the broker closed the connection
    for (let i = 0; i < 200 && sub.connects < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(sub.connects).toBeGreaterThanOrEqual(2);
    expect(tokens[0]).toBe(firstToken);
    expect(tokens[tokens.length - 1]).not.toBe(firstToken);
    const latest = await client.latest();
    await c.createFolder({ name: 'after reconnect', baseCursor: latest.cursor });
    for (let i = 0; i < 100 && !seqs.includes(latest.seq + 1); i++) await new Promise((r) => setTimeout(r, 50));
    await sub.stop();
    expect(seqs).toContain(latest.seq + 1);
  }, 90_000);
});
