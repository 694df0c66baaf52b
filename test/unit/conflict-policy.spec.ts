import { describe, expect, it } from 'vitest';
import {
  CONFLICT_KINDS,
  decideDelete,
  decideEdit,
  decideMove,
  freeName,
  partialDelete,
  type DeleteFacts,
  type EditFacts,
  type MoveFacts,
  type SeenAttributes,
} from '../../src/modules/namespace/conflicts/conflict-policy.js';
import { conflictedName, nameKey } from '../../src/shared/names.js';

/**
 * One table per rule of docs/conflicts.md ("first match wins"), against the pure functions the
 * planner carries out. Each row names the facts that differ from "everything seen, nothing
 * special" and the decision expected.
 */

const SEEN: SeenAttributes = { content: true, location: true, deletion: true };
const unseen = (...attrs: (keyof SeenAttributes)[]): SeenAttributes => ({
  ...SEEN,
  ...Object.fromEntries(attrs.map((a) => [a, false])),
});

const edit = (f: Partial<EditFacts>): EditFacts => ({ sameContent: false, deleted: false, seen: SEEN, ...f });
const move = (f: Partial<MoveFacts>): MoveFacts => ({
  sameLocation: false,
  deleted: false,
  deletedItself: false,
  seen: SEEN,
  cycle: false,
  cycleFromUnseenMoves: false,
  ...f,
});
const del = (f: Partial<DeleteFacts>): DeleteFacts => ({ deleted: false, seen: SEEN, descendantsChangedUnseen: false, ...f });

describe('conflict kinds', () => {
  it('are the nine of the table, each once', () => {
    expect([...CONFLICT_KINDS].sort()).toEqual(
      [
        'DELETE_PARTIAL',
        'DELETE_STALE',
        'EDIT_EDIT',
        'EDIT_RESTORED',
        'MOVE_CYCLE',
        'MOVE_MOVE',
        'MOVE_RESTORED',
        'NAME_COLLISION',
        'PARENT_RESTORED',
      ].sort(),
    );
  });
});

describe('decideEdit (a new version of an existing file)', () => {
  it.each<[string, Partial<EditFacts>, ReturnType<typeof decideEdit>]>([
    // rule 0: nothing the device had not seen
    ['everything seen', {}, { rule: 0, action: 'apply' }],
    ['only the location changed unseen (rename on the PC + edit on the phone both apply)', { seen: unseen('location') }, { rule: 0, action: 'apply' }],
    // rule 1
    ['the same content', { sameContent: true }, { rule: 1, action: 'noop' }],
    // rule 2
    ['deleted, unseen', { deleted: true, seen: unseen('deletion') }, { rule: 2, action: 'restore-and-edit', conflict: 'EDIT_RESTORED' }],
    ['deleted, and the device had seen the delete', { deleted: true }, { rule: 2, action: 'restore-and-edit', conflict: null }],
    // rule 7
    ['content changed unseen', { seen: unseen('content') }, { rule: 7, action: 'conflicted-copy', conflict: 'EDIT_EDIT' }],
    ['content and location changed unseen', { seen: unseen('content', 'location') }, { rule: 7, action: 'conflicted-copy', conflict: 'EDIT_EDIT' }],
  ])('%s', (_label, facts, expected) => {
    expect(decideEdit(edit(facts))).toEqual(expected);
  });

  describe('first match wins', () => {
    it.each<[string, Partial<EditFacts>, number]>([
      ['rule 1 before rule 2: identical content on a deleted file', { sameContent: true, deleted: true, seen: unseen('deletion') }, 1],
      ['rule 1 before rule 7: identical content is never an edit/edit conflict', { sameContent: true, seen: unseen('content') }, 1],
      ['rule 2 before rule 7: edited and then deleted on the PC, edited on the phone', { deleted: true, seen: unseen('content', 'deletion') }, 2],
    ])('%s', (_label, facts, rule) => {
      expect(decideEdit(edit(facts)).rule).toBe(rule);
    });

    it('rule 2 before rule 7 keeps EDIT_RESTORED as the record (the PC version stays a revision)', () => {
      expect(decideEdit(edit({ deleted: true, seen: unseen('content', 'deletion') }))).toEqual({
        rule: 2,
        action: 'restore-and-edit',
        conflict: 'EDIT_RESTORED',
      });
    });
  });
});

describe('decideMove (rename / move)', () => {
  it.each<[string, Partial<MoveFacts>, ReturnType<typeof decideMove>]>([
    ['everything seen', {}, { rule: 0, action: 'apply' }],
    ['only the content changed unseen (edit on the PC + rename on the phone both apply)', { seen: unseen('content') }, { rule: 0, action: 'apply' }],
    // rule 1
    ['already where the device put it', { sameLocation: true }, { rule: 1, action: 'noop' }],
    // rule 3
    [
      'deleted by its own delete, unseen (case b)',
      { deleted: true, deletedItself: true, seen: unseen('deletion') },
      { rule: 3, action: 'restore-and-move', conflict: 'MOVE_RESTORED' },
    ],
    [
      'deleted by its own delete, which the device had seen',
      { deleted: true, deletedItself: true },
      { rule: 3, action: 'restore-and-move', conflict: null },
    ],
    // rule 4
    [
      'deleted with a folder above it (case c)',
      { deleted: true, deletedItself: false, seen: unseen('deletion') },
      { rule: 4, action: 'restore-chain-and-move', conflict: 'PARENT_RESTORED' },
    ],
    // rule 8
    ['moved unseen (move/move)', { seen: unseen('location') }, { rule: 8, action: 'skip', conflict: 'MOVE_MOVE' }],
    // rule 9
    ['a cycle made by moves the device had not seen', { cycle: true, cycleFromUnseenMoves: true }, { rule: 9, action: 'skip', conflict: 'MOVE_CYCLE' }],
    ['a cycle the device could see itself', { cycle: true, cycleFromUnseenMoves: false }, { rule: 9, action: 'refuse' }],
  ])('%s', (_label, facts, expected) => {
    expect(decideMove(move(facts))).toEqual(expected);
  });

  describe('first match wins', () => {
    it.each<[string, Partial<MoveFacts>, number]>([
      ['rule 1 before rule 3: the same rename, then deleted', { sameLocation: true, deleted: true, deletedItself: true, seen: unseen('deletion') }, 1],
      ['rule 1 before rule 8: both devices made the same move', { sameLocation: true, seen: unseen('location') }, 1],
      ['rule 1 before rule 9', { sameLocation: true, cycle: true, cycleFromUnseenMoves: true }, 1],
      ['rule 3 before rule 8: moved, then deleted on the PC', { deleted: true, deletedItself: true, seen: unseen('location', 'deletion') }, 3],
      ['rule 4 before rule 8', { deleted: true, seen: unseen('location', 'deletion') }, 4],
      ['rule 8 before rule 9: a node moved unseen whose move would also make a cycle', { seen: unseen('location'), cycle: true, cycleFromUnseenMoves: true }, 8],
      ['rule 8 before a refused cycle', { seen: unseen('location'), cycle: true }, 8],
    ])('%s', (_label, facts, rule) => {
      expect(decideMove(move(facts)).rule).toBe(rule);
    });

    it.each<[string, Partial<MoveFacts>]>([
      ['deleted by its own delete', { deleted: true, deletedItself: true, seen: unseen('deletion') }],
      ['deleted with a folder above it', { deleted: true, seen: unseen('deletion') }],
    ])('a deleted node (%s) never comes back into a cycle: rule 9 takes the move part of rules 3 and 4', (_label, facts) => {
      expect(decideMove(move({ ...facts, cycle: true, cycleFromUnseenMoves: true }))).toEqual({
        rule: 9,
        action: 'restore-in-place',
        conflict: 'MOVE_CYCLE',
      });
      expect(decideMove(move({ ...facts, cycle: true, cycleFromUnseenMoves: false }))).toEqual({ rule: 9, action: 'refuse' });
      expect(decideMove(move({ ...facts, cycle: true, sameLocation: true })).rule).toBe(1);
    });
  });
});

describe('decideDelete', () => {
  it.each<[string, Partial<DeleteFacts>, ReturnType<typeof decideDelete>]>([
    ['everything seen', {}, { rule: 0, action: 'apply' }],
    ['only a delete-and-restore the device had not seen (it saw the node as it is)', { seen: unseen('deletion') }, { rule: 0, action: 'apply' }],
    // rule 11
    ['already deleted', { deleted: true }, { rule: 11, action: 'noop' }],
    // rule 5
    ['renamed or moved unseen (case a)', { seen: unseen('location') }, { rule: 5, action: 'keep', conflict: 'DELETE_STALE' }],
    ['edited unseen', { seen: unseen('content') }, { rule: 5, action: 'keep', conflict: 'DELETE_STALE' }],
    // rule 6
    ['a folder with descendants changed unseen', { descendantsChangedUnseen: true }, { rule: 6, action: 'delete-seen-only', conflict: 'DELETE_PARTIAL' }],
  ])('%s', (_label, facts, expected) => {
    expect(decideDelete(del(facts))).toEqual(expected);
  });

  describe('first match wins', () => {
    it.each<[string, Partial<DeleteFacts>, number]>([
      ['rule 11 before rule 5: deleted after an unseen edit', { deleted: true, seen: unseen('content', 'deletion') }, 11],
      ['rule 11 before rule 6', { deleted: true, descendantsChangedUnseen: true }, 11],
      ['rule 5 before rule 6: the folder itself was renamed and something inside changed', { seen: unseen('location'), descendantsChangedUnseen: true }, 5],
    ])('%s', (_label, facts, rule) => {
      expect(decideDelete(del(facts)).rule).toBe(rule);
    });
  });
});

describe('partialDelete (rule 6 on a subtree)', () => {
  type D = { id: string; parentId: string; changedUnseen: boolean };
  const n = (id: string, parentId: string, changedUnseen = false): D => ({ id, parentId, changedUnseen });
  const sorted = (s: Set<string>) => [...s].sort();

  it('keeps nothing and deletes every descendant when nothing changed (the root is the caller’s)', () => {
    const r = partialDelete('R', [n('a', 'R'), n('b', 'R'), n('F', 'R'), n('c', 'F')]);
    expect(sorted(r.keepIds)).toEqual([]);
    expect(sorted(r.deleteIds)).toEqual(['F', 'a', 'b', 'c']);
  });

  it('flat folder: keeps the changed file and the root, deletes its siblings', () => {
    const r = partialDelete('R', [n('a', 'R'), n('b', 'R', true), n('c', 'R')]);
    expect(sorted(r.keepIds)).toEqual(['R', 'b']);
    expect(sorted(r.deleteIds)).toEqual(['a', 'c']);
  });

  it('deep change: keeps the chain above it, deletes the siblings at every level', () => {
    // R/{x, A/{y, B/{z, C/{deep*, w}}}}
    const r = partialDelete('R', [
      n('x', 'R'),
      n('A', 'R'),
      n('y', 'A'),
      n('B', 'A'),
      n('z', 'B'),
      n('C', 'B'),
      n('deep', 'C', true),
      n('w', 'C'),
    ]);
    expect(sorted(r.keepIds)).toEqual(['A', 'B', 'C', 'R', 'deep']);
    expect(sorted(r.deleteIds)).toEqual(['w', 'x', 'y', 'z']);
  });

  it('two changes in different branches keep both chains, shared folders once', () => {
    // R/{A/{B/{p*}, q}, C/{r*, s}, t}
    const r = partialDelete('R', [
      n('A', 'R'),
      n('B', 'A'),
      n('p', 'B', true),
      n('q', 'A'),
      n('C', 'R'),
      n('r', 'C', true),
      n('s', 'C'),
      n('t', 'R'),
    ]);
    expect(sorted(r.keepIds)).toEqual(['A', 'B', 'C', 'R', 'p', 'r']);
    expect(sorted(r.deleteIds)).toEqual(['q', 's', 't']);
  });

  it('a changed folder is kept with the chain above it; its own unchanged children are not kept by it', () => {
    const r = partialDelete('R', [n('A', 'R'), n('G', 'A', true), n('g1', 'G'), n('g2', 'G', true), n('o', 'R')]);
    expect(sorted(r.keepIds)).toEqual(['A', 'G', 'R', 'g2']);
    expect(sorted(r.deleteIds)).toEqual(['g1', 'o']);
  });

  it('does not depend on the order of the descendants (children before parents)', () => {
    const nodes = [n('x', 'R'), n('A', 'R'), n('y', 'A'), n('B', 'A'), n('deep', 'B', true), n('z', 'B')];
    const forward = partialDelete('R', nodes);
    const backward = partialDelete('R', [...nodes].reverse());
    expect(sorted(backward.keepIds)).toEqual(sorted(forward.keepIds));
    expect(sorted(backward.deleteIds)).toEqual(sorted(forward.deleteIds));
    expect(sorted(forward.keepIds)).toEqual(['A', 'B', 'R', 'deep']);
  });

  it('every descendant is either kept or deleted, never both', () => {
    const nodes = [n('A', 'R'), n('a1', 'A', true), n('a2', 'A'), n('B', 'R'), n('b1', 'B'), n('b2', 'B', true), n('c', 'R')];
    const r = partialDelete('R', nodes);
    for (const d of nodes) expect(r.keepIds.has(d.id) !== r.deleteIds.has(d.id), d.id).toBe(true);
    expect(r.deleteIds.has('R')).toBe(false);
  });
});

describe('freeName (rule 10: NFC + case-insensitive, numbered if needed)', () => {
  /** A folder holding these names, compared as the server does. */
  const folder = (...names: string[]) => {
    const keys = new Set(names.map(nameKey));
    const asked: string[] = [];
    return {
      asked,
      isTaken: (c: string) => {
        asked.push(c);
        return Promise.resolve(keys.has(nameKey(c)));
      },
    };
  };
  const copy = (name: string) => (n: number) => conflictedName(name, 'phone', n);

  it('keeps a free name as it is and asks once', async () => {
    const f = folder('other.txt');
    expect(await freeName('a.txt', f.isTaken, copy('a.txt'))).toEqual({ name: 'a.txt', renamed: false });
    expect(f.asked).toEqual(['a.txt']);
  });

  it.each([
    ['the same name', 'a.txt', 'a.txt'],
    ['another case', 'A.TXT', 'a.txt'],
    ['NFD against NFC', 'Cafe\u0301.txt', 'Caf\u00e9.txt'],
    ['ß against SS', 'STRASSE.txt', 'Straße.txt'],
  ])('renames when the name is taken under %s', async (_label, taken, incoming) => {
    const f = folder(taken);
    const placed = await freeName(incoming, f.isTaken, copy(incoming));
    expect(placed).toEqual({ name: conflictedName(incoming, 'phone', 1), renamed: true });
    expect(placed.name).toMatch(/ \(conflicted copy phone\)\.txt$/);
  });

  it('numbers the copy when the first copy names are taken too', async () => {
    const f = folder('a.txt', 'a (conflicted copy phone).txt', 'A (CONFLICTED COPY PHONE 2).TXT');
    const placed = await freeName('a.txt', f.isTaken, copy('a.txt'));
    expect(placed).toEqual({ name: 'a (conflicted copy phone 3).txt', renamed: true });
    expect(f.asked).toEqual(['a.txt', 'a (conflicted copy phone).txt', 'a (conflicted copy phone 2).txt', 'a (conflicted copy phone 3).txt']);
  });

  it('keeps folder names without an extension readable', async () => {
    const f = folder('Photos');
    expect((await freeName('photos', f.isTaken, copy('photos'))).name).toBe('photos (conflicted copy phone)');
  });

  it('gives up loudly rather than looping forever', async () => {
    await expect(freeName('a.txt', () => Promise.resolve(true), copy('a.txt'))).rejects.toThrow(/no free conflicted-copy name/);
  });
});
