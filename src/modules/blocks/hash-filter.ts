/**
 * A Bloom filter of SHA-256 hashes (lowercase hex): "certainly not added" or "perhaps added".
 * The hashes are uniformly random already, so its probes are seven 32-bit slices of the hash
 * itself — nothing is hashed again. About 10 bits per hash it is sized for (1.25 MB per
 * million), at under 1 % false positives while it holds no more than that.
 */
export class HashFilter {
  private readonly words: Uint32Array;
  private readonly mask: number;
  /** Hashes added (with repeats): past `capacity`, false positives grow. */
  added = 0;

  constructor(readonly capacity: number) {
    let bits = 1024;
    while (bits < capacity * 10 && bits < MAX_BITS) bits *= 2;
    this.words = new Uint32Array(bits / 32);
    this.mask = bits - 1;
  }

  add(hash: string): void {
    for (let k = 0; k < PROBES; k++) {
      const bit = this.probe(hash, k);
      this.words[bit >>> 5]! |= 1 << (bit & 31);
    }
    this.added++;
  }

  /** False only for a hash never added. */
  mayHave(hash: string): boolean {
    for (let k = 0; k < PROBES; k++) {
      const bit = this.probe(hash, k);
      if ((this.words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  get full(): boolean {
    return this.added > this.capacity;
  }

  private probe(hash: string, k: number): number {
    return parseInt(hash.slice(k * 8, k * 8 + 8), 16) & this.mask;
  }
}

const PROBES = 7;
/** 256 MiB of bits at most (probes are masked as 32-bit integers; past this they would go negative). */
const MAX_BITS = 2 ** 31;
