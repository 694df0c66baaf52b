import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HashFilter } from '../../src/modules/blocks/hash-filter.js';

const hash = (): string => randomBytes(32).toString('hex');

describe('HashFilter', () => {
  it('never says "not added" of a hash it was given, and rarely "perhaps" of one it was not', () => {
    const f = new HashFilter(20_000);
    const added = Array.from({ length: 20_000 }, hash);
    for (const h of added) f.add(h);
    expect(added.every((h) => f.mayHave(h))).toBe(true);
    const others = Array.from({ length: 20_000 }, hash);
    const wrong = others.filter((h) => f.mayHave(h)).length;
    expect(wrong / others.length).toBeLessThan(0.02);
    expect(f.full).toBe(false);
    f.add(hash());
    expect(f.full).toBe(true);
  });

  it('an empty filter has nothing', () => {
    const f = new HashFilter(10);
    expect(f.mayHave(hash())).toBe(false);
    expect(f.mayHave('0'.repeat(64))).toBe(false);
  });
});
