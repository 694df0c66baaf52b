import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

/**
 * A bare MQTT 3.1.1 client over TCP that does only what it is told — e.g. never sends
 * PUBACK — to play a device that stopped acknowledging.
 */
export class RawMqtt {
  readonly received: { cmd: string; topic?: string; payload?: string; returnCode?: number; granted?: number[] }[] = [];

  private constructor(private readonly socket: Socket) {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p: any) =>
      this.received.push({ cmd: p.cmd, topic: p.topic, payload: p.payload?.toString(), returnCode: p.returnCode, granted: p.granted }),
    );
    socket.on('data', (d) => parser.parse(d));
  }

  static async open(port: number): Promise<RawMqtt> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawMqtt(socket);
  }

  send(packet: object): void {
    this.socket.write(mqttPacket.generate(packet as mqttPacket.Packet));
  }

  connect(clientId: string, token: string): void {
    this.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 60, username: 'device', password: Buffer.from(token) });
  }

  subscribe(topics: string[], messageId = 1): void {
    this.send({ cmd: 'subscribe', messageId, subscriptions: topics.map((topic) => ({ topic, qos: 1 })) });
  }

  async waitFor(pred: (p: RawMqtt['received'][number]) => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.received.some(pred)) {
      if (Date.now() > deadline) throw new Error(`no matching packet within ${ms} ms: ${JSON.stringify(this.received)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
