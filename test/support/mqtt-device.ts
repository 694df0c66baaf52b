import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface Poke {
  topic: string;
  ns: string;
  seq: number;
  at: number;
}

/** A device's MQTT connection (mqtt.js), recording every message it receives. */
export class MqttDevice {
  readonly messages: Poke[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      const p = JSON.parse(payload.toString()) as { ns: string; seq: number };
      this.messages.push({ topic, ns: p.ns, seq: p.seq, at: performance.now() });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects; rejects with the CONNACK error (its `code` is the MQTT return code). */
  static connect(url: string, deviceId: string, token: string, extra: IClientOptions = {}): Promise<MqttDevice> {
    return new Promise((resolve, reject) => {
      const client = mqtt.connect(url, {
        clientId: deviceId,
        username: 'device',
        password: token,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 5000,
        protocolVersion: 4,
        ...extra,
      });
      client.once('connect', () => resolve(new MqttDevice(client)));
      client.once('error', (err) => {
        client.end(true);
        reject(err);
      });
      client.once('close', () => reject(new Error('closed before CONNACK')));
    });
  }

  /** Subscribes (in one SUBSCRIBE packet) and returns the granted QoS per topic (128 = refused). */
  async subscribe(topics: string[]): Promise<number[]> {
    const request = Object.fromEntries(topics.map((t) => [t, { qos: 1 as const }]));
    try {
      const granted = await this.client.subscribeAsync(request);
      return topics.map((t) => granted.find((g) => g.topic === t)?.qos ?? -1);
    } catch (err) {
      // mqtt.js rejects when any subscription was refused; the SUBACK still says which.
      const granted = (err as { packet?: { granted?: (number | { qos: number })[] } }).packet?.granted;
      if (!granted) throw err;
      return granted.map((g) => (typeof g === 'number' ? g : g.qos));
    }
  }

  /** Resolves when a message matching `pred` has arrived (or rejects after `ms`). */
  async waitFor(pred: (p: Poke) => boolean, ms = 5000): Promise<Poke> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.messages.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching MQTT message within ${ms} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves when the broker closes the connection (or rejects after `ms`). */
  closed(ms = 5000): Promise<void> {
    if (!this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
      this.client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  end(): Promise<void> {
    return this.client.endAsync(true);
  }
}
