import { Duplex, Transform, type TransformCallback } from 'node:stream';

/**
 * Reads the MQTT fixed header of every packet a device sends and fails the stream when a
 * packet announces more than `maxBytes` or its length field is malformed — Aedes 1.x has no
 * packet size limit of its own, and a device has no reason to send more than a few bytes.
 */
export class MqttFrameGuard extends Transform {
  private state: 'type' | 'length' | 'body' = 'type';
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case 'type':
          this.state = 'length';
          this.remaining = 0;
          this.multiplier = 1;
          this.lengthBytes = 0;
          i++;
          break;
        case 'length': {
          const b = chunk[i++]!;
          this.remaining += (b & 0x7f) * this.multiplier;
          this.multiplier *= 128;
          this.lengthBytes++;
          if (this.remaining > this.maxBytes) return cb(new Error(`MQTT packet over ${this.maxBytes} bytes`));
          if (b & 0x80) {
            if (this.lengthBytes >= 4) return cb(new Error('malformed MQTT remaining length'));
          } else {
            this.state = this.remaining === 0 ? 'type' : 'body';
          }
          break;
        }
        case 'body': {
          const take = Math.min(this.remaining, chunk.length - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = 'type';
          break;
        }
      }
    }
    cb(null, chunk);
  }
}

/**
 * The duplex Aedes reads from and writes to: reads pass the frame guard, writes go straight to
 * the connection, and closing either side closes the connection.
 */
export function guardedConnection(conn: Duplex, maxBytes: number): Duplex {
  const guard = new MqttFrameGuard(maxBytes);
  conn.pipe(guard);
  const duplex = Duplex.from({ readable: guard, writable: conn });
  guard.once('error', (err) => {
    duplex.destroy(err);
    conn.destroy();
  });
  conn.once('close', () => duplex.destroy());
  conn.once('error', () => duplex.destroy());
  return duplex;
}
