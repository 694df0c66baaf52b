import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isNodeId, uuidv7, uuidv7Maker } from '../../src/shared/ids.js';

describe('isNodeId', () => {
  it.each([
    ['a v4 (fixed)', '3b241101-e2bb-4255-8caf-4136c566a962'],
    ['a v7 (RFC 9562 example)', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f'],
    ['a v1', 'c232ab00-9414-11ec-b3c8-9f6bdeced846'],
    ['variant digit 8', '3b241101-e2bb-4255-8caf-4136c566a962'],
    ['variant digit 9', '3b241101-e2bb-4255-9caf-4136c566a962'],
    ['variant digit a', '3b241101-e2bb-4255-acaf-4136c566a962'],
    ['variant digit b', '3b241101-e2bb-4255-bcaf-4136c566a962'],
  ])('accepts %s', (_label, id) => {
    expect(isNodeId(id)).toBe(true);
  });

  it('accepts what randomUUID and uuidv7 make', () => {
    for (let i = 0; i < 100; i++) {
      expect(isNodeId(randomUUID())).toBe(true);
      expect(isNodeId(uuidv7())).toBe(true);
    }
  });

  it.each([
    ['uppercase', '3B241101-E2BB-4255-8CAF-4136C566A962'],
    ['one uppercase digit', '3b241101-e2bb-4255-8caf-4136c566a96A'],
    ['variant c (Microsoft)', '3b241101-e2bb-4255-ccaf-4136c566a962'],
    ['variant 7 (NCS)', '3b241101-e2bb-4255-7caf-4136c566a962'],
    ['version 0 (the nil UUID)', '00000000-0000-0000-0000-000000000000'],
    ['version f (the max UUID)', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ['version 9', '3b241101-e2bb-9255-8caf-4136c566a962'],
    ['no dashes', '3b241101e2bb42558caf4136c566a962'],
    ['braces', '{3b241101-e2bb-4255-8caf-4136c566a962}'],
    ['urn prefix', 'urn:uuid:3b241101-e2bb-4255-8caf-4136c566a962'],
    ['a trailing newline', '3b241101-e2bb-4255-8caf-4136c566a962\n'],
    ['one digit short', '3b241101-e2bb-4255-8caf-4136c566a96'],
    ['one digit long', '3b241101-e2bb-4255-8caf-4136c566a9620'],
    ['a non-hex letter', '3b241101-e2bb-4255-8caf-4136c566a96g'],
    ['dashes misplaced', '3b24110-1e2bb-4255-8caf-4136c566a962'],
    ['empty', ''],
    ['garbage', 'not-a-uuid'],
    ['a path', '../../etc/passwd'],
  ])('rejects %s', (_label, id) => {
    expect(isNodeId(id)).toBe(false);
  });
});

describe('uuidv7', () => {
  it('sets version 7 and the RFC 9562 variant', () => {
    for (let i = 0; i < 200; i++) {
      const id = uuidv7();
      const hex = id.replaceAll('-', '');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(hex[12]).toBe('7');
      expect(parseInt(hex[16]!, 16) >> 2).toBe(0b10);
    }
  });

  it('carries the given millisecond timestamp in its first 48 bits', () => {
    const make = uuidv7Maker();
    for (const ms of [0, 1, 255, 256, 1_700_000_000_123, 2 ** 48 - 1]) {
      const hex = make(ms).replaceAll('-', '');
      expect(parseInt(hex.slice(0, 12), 16)).toBe(ms);
    }
  });

  it('uses the current time by default', () => {
    const before = Date.now();
    const hex = uuidv7().replaceAll('-', '');
    const after = Date.now();
    const ms = parseInt(hex.slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  it('sorts by time across milliseconds, as strings', () => {
    const make = uuidv7Maker();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 500; i++) {
      const earlier = make(t0 + i);
      const later = make(t0 + i + 1);
      expect(earlier < later).toBe(true);
    }
    // Across a carry into a higher hex digit.
    const carry = uuidv7Maker();
    expect(carry(0xff) < carry(0x100)).toBe(true);
    expect(carry(0xffffffff) < carry(0x100000000)).toBe(true);
  });

  it('sorts in the order minted within one millisecond, past its 4,096 counter values, and when the clock steps back', () => {
    const make = uuidv7Maker();
    const ids = Array.from({ length: 10_000 }, () => make(1_700_000_000_000));
    ids.push(make(1_600_000_000_000), make(1_700_000_000_000)); // the clock went back, then came again
    expect(new Set(ids).size).toBe(ids.length);
    for (let i = 1; i < ids.length; i++) expect(ids[i - 1]! < ids[i]!).toBe(true);
    expect(ids.every(isNodeId)).toBe(true);
  });

  it('the process-wide maker mints in order too', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7());
    expect([...ids].sort()).toEqual(ids);
  });
});
