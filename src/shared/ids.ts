import { randomFillSync } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A node id: an RFC 9562 UUID (any version; devices usually mint v7), lowercase. */
export function isNodeId(s: string): boolean {
  return UUID.test(s);
}

/**
 * A maker of UUIDv7s: 48 bits of milliseconds, a 12-bit counter, then randomness (RFC 9562
 * §6.2, method 1). The ids one maker mints sort in the order they were minted — within a
 * millisecond and when the clock steps back too — which lets the server tell a device's new
 * operations from retries without looking each one up.
 */
export function uuidv7Maker(): (now?: number) => string {
  let lastMs = -1;
  let counter = 0;
  // Random bytes drawn 4 KiB at a time: one call per id cost more than the rest of it.
  const pool = Buffer.alloc(4096);
  let used = pool.length;
  return (now = Date.now()) => {
    if (used === pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    const b = Buffer.from(pool.subarray(used, used + 16));
    used += 16;
    if (now > lastMs) {
      lastMs = now;
      counter = b.readUInt16BE(6) & 0x7ff; // a random start, with room to count up
    } else if (++counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
    b.writeUIntBE(lastMs, 0, 6);
    b[6] = 0x70 | (counter >> 8);
    b[7] = counter & 0xff;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = b.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
}

/** This process's UUIDv7s (see uuidv7Maker): in the order they were minted. */
export const uuidv7: (now?: number) => string = uuidv7Maker();
