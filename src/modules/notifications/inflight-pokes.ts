const MAX_TRACKED = 64;

/**
 * The pokes forwarded to one connection at QoS 1 and not yet acknowledged, oldest first.
 * Aedes does not keep outgoing packets of clean sessions, so its `ack` event carries no
 * packet; MQTT requires PUBACKs in the order the PUBLISHes arrived, so the oldest entry is
 * the one acked. A forwarded message that is not a poke holds its place as null.
 */
export class InflightPokes {
  private readonly seqs: (number | null)[] = [];

  forwarded(seq: number | null): void {
    this.seqs.push(seq);
    if (this.seqs.length > MAX_TRACKED) this.seqs.shift();
  }

  /** The seq a PUBACK just acknowledged; null when it acknowledged something other than a poke. */
  acked(): number | null {
    return this.seqs.shift() ?? null;
  }
}
