import { describe, expect, it } from 'vitest';
import { conflictedName, MAX_NAME_BYTES, nameKey, nameProblem, PathError, splitPath } from '../../src/shared/names.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** True when the string holds a UTF-16 surrogate without its partner (not valid Unicode text). */
function hasLoneSurrogate(s: string): boolean {
  return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

describe('nameProblem', () => {
  it('allows at most 255 bytes', () => {
    expect(MAX_NAME_BYTES).toBe(255);
  });

  it('refuses the empty name', () => {
    expect(nameProblem('')).toBe('empty');
  });

  it.each([
    ['255 ASCII bytes', 'a'.repeat(255), null],
    ['256 ASCII bytes', 'a'.repeat(256), 'too-long'],
    ['127 two-byte chars + 1 (255 bytes)', 'é'.repeat(127) + 'a', null],
    ['128 two-byte chars (256 bytes)', 'é'.repeat(128), 'too-long'],
    ['85 three-byte chars (255 bytes)', '日'.repeat(85), null],
    ['86 three-byte chars (258 bytes)', '日'.repeat(86), 'too-long'],
    ['63 four-byte chars + 3 (255 bytes)', '😀'.repeat(63) + 'abc', null],
    ['64 four-byte chars (256 bytes)', '😀'.repeat(64), 'too-long'],
    ['254 ASCII + one two-byte char (256 bytes)', 'a'.repeat(254) + 'é', 'too-long'],
  ])('measures length in UTF-8 bytes: %s', (_label, name, problem) => {
    expect(nameProblem(name)).toBe(problem);
  });

  it('measures the NFC form: 127 decomposed é (381 bytes as sent, 254 as NFC) + 1 is fine', () => {
    const nfd = 'e\u0301'.repeat(127) + 'a';
    expect(bytes(nfd)).toBe(382);
    expect(nameProblem(nfd)).toBeNull();
    expect(nameProblem('e\u0301'.repeat(128))).toBe('too-long');
  });

  it.each([
    ['a/b'],
    ['/'],
    ['a\\b'],
    ['\\'],
  ])('refuses a slash or backslash: %j', (name) => {
    expect(nameProblem(name)).toBe('slash');
  });

  it.each([
    ['NUL', '\u0000'],
    ['NUL inside', 'a\u0000b'],
    ['tab', 'a\tb'],
    ['newline', 'a\nb'],
    ['carriage return', 'a\rb'],
    ['unit separator', 'a\u001fb'],
    ['DEL', 'a\u007fb'],
    ['escape', '\u001b[31mred'],
  ])('refuses control characters: %s', (_label, name) => {
    expect(nameProblem(name)).toBe('control-character');
  });

  it.each([
    ['C1 first (U+0080)', 'a\u0080b'],
    ['NEL (U+0085)', 'a\u0085b'],
    ['C1 last (U+009F)', 'a\u009fb'],
    ['C1 alone', '\u0085'],
  ])('refuses C1 control characters: %s', (_label, name) => {
    expect(nameProblem(name)).toBe('control-character');
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate after text', 'a\udfff'],
    ['a high surrogate at the end', 'photo\udbff'],
    ['a low surrogate before a high one', '\udc00\ud800'],
  ])('refuses ill-formed Unicode: %s', (_label, name) => {
    expect(nameProblem(name)).toBe('invalid-unicode');
  });

  // One member of each code-point class a name may hold: the boundaries next to refused ones.
  it.each([
    ['U+00A0 (after the C1 block)', 'a\u00a0b'],
    ['U+007E (before DEL)', 'a~b'],
    ['U+D7FF (before the surrogates)', 'a\ud7ffb'],
    ['U+E000 (after the surrogates, private use)', 'a\ue000b'],
    ['a surrogate pair (emoji)', 'cat \ud83d\udc08.jpg'],
    ['U+10FFFF (the last code point)', 'a\udbff\udfffb'],
    ['U+FFFD', 'a\ufffdb'],
    ['combining marks', 'e\u0301'],
  ])('accepts %s', (_label, name) => {
    expect(nameProblem(name)).toBeNull();
  });

  it.each(['.', '..'])('refuses %j', (name) => {
    expect(nameProblem(name)).toBe('dot-name');
  });

  it.each(['a ', 'a.', 'report.txt.', '...', ' ', 'a. '])('refuses a trailing space or dot: %j', (name) => {
    expect(nameProblem(name)).toBe('trailing-space-or-dot');
  });

  it.each([
    'a',
    'report.pdf',
    '.bashrc',
    '..hidden',
    'a..b',
    ' leading space',
    'two  spaces inside',
    'Café',
    '日本語.txt',
    'emoji 😀.png',
    'archive.tar.gz',
    'UPPER',
    'name with (parens) [and] {braces}',
  ])('accepts %j', (name) => {
    expect(nameProblem(name)).toBeNull();
  });
});

describe('nameKey', () => {
  it('makes NFC and NFD spellings of "Café" collide', () => {
    const nfc = 'Caf\u00e9';
    const nfd = 'Cafe\u0301';
    expect(nfc).not.toBe(nfd);
    expect(nameKey(nfc)).toBe(nameKey(nfd));
  });

  it('folds case', () => {
    expect(nameKey('A.txt')).toBe(nameKey('a.txt'));
    expect(nameKey('README.MD')).toBe(nameKey('readme.md'));
    expect(nameKey('ÉTÉ')).toBe(nameKey('été'));
  });

  it('folds ß to ss, so "straße" and "STRASSE" collide', () => {
    expect(nameKey('straße')).toBe(nameKey('STRASSE'));
    expect(nameKey('Straße')).toBe(nameKey('strasse'));
  });

  it('folds the capital sharp s (U+1E9E) like ß: "STRAẞE", "straße" and "STRASSE" collide', () => {
    // Unicode full case folding (CaseFolding.txt) maps both U+1E9E and U+00DF to "ss".
    expect(nameKey('STRA\u1e9eE')).toBe(nameKey('straße'));
    expect(nameKey('STRA\u1e9eE')).toBe(nameKey('STRASSE'));
  });

  it('keeps different names apart', () => {
    expect(nameKey('a.txt')).not.toBe(nameKey('b.txt'));
    expect(nameKey('Café')).not.toBe(nameKey('Cafe'));
    expect(nameKey('a.txt')).not.toBe(nameKey('a.txt '));
    expect(nameKey('file1')).not.toBe(nameKey('file2'));
  });

  it('is stable: the key of a key is the key', () => {
    for (const name of ['Café', 'Cafe\u0301', 'STRASSE', 'straße', 'ΟΔΟΣ', 'İstanbul', 'ﬁle', 'Ǆ', '\u1e9e']) {
      expect(nameKey(nameKey(name)), JSON.stringify(name)).toBe(nameKey(name));
    }
  });
});

describe('splitPath', () => {
  it.each([
    ['', []],
    ['/', []],
    ['//', []],
    ['/a', ['a']],
    ['/a/b/c', ['a', 'b', 'c']],
    ['a/b', ['a', 'b']],
    ['//a///b/', ['a', 'b']],
    ['/.bashrc', ['.bashrc']],
  ])('splits %j', (path, parts) => {
    expect(splitPath(path)).toEqual(parts);
  });

  it('returns names in NFC', () => {
    expect(splitPath('/Cafe\u0301/x')).toEqual(['Caf\u00e9', 'x']);
  });

  it.each([
    ['/a/../b', '..', 'dot-name'],
    ['/a/./b', '.', 'dot-name'],
    ['/a/b /c', 'b ', 'trailing-space-or-dot'],
    ['/a/b./c', 'b.', 'trailing-space-or-dot'],
    ['/a/x\u0000y', 'x\u0000y', 'control-character'],
    ['/a\\b/c', 'a\\b', 'slash'],
    [`/ok/${'x'.repeat(256)}`, 'x'.repeat(256), 'too-long'],
  ])('refuses %j, naming the component and the problem', (path, component, problem) => {
    let caught: unknown;
    try {
      splitPath(path);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PathError);
    expect(caught).toBeInstanceOf(Error);
    const err = caught as PathError;
    expect(err.component).toBe(component);
    expect(err.problem).toBe(problem);
    expect(err.message).toContain(problem);
  });
});

describe('conflictedName', () => {
  it('puts the label before the extension', () => {
    expect(conflictedName('report.pdf', 'Pixel 7')).toBe('report (conflicted copy Pixel 7).pdf');
  });

  it('numbers from 2 when taken', () => {
    expect(conflictedName('report.pdf', 'Pixel 7', 1)).toBe('report (conflicted copy Pixel 7).pdf');
    expect(conflictedName('report.pdf', 'Pixel 7', 2)).toBe('report (conflicted copy Pixel 7 2).pdf');
    expect(conflictedName('report.pdf', 'Pixel 7', 3)).toBe('report (conflicted copy Pixel 7 3).pdf');
  });

  it('takes only the last extension', () => {
    expect(conflictedName('archive.tar.gz', 'L')).toBe('archive.tar (conflicted copy L).gz');
  });

  it('treats a dotfile as having no extension', () => {
    expect(conflictedName('.bashrc', 'L')).toBe('.bashrc (conflicted copy L)');
    expect(conflictedName('.bashrc', 'L', 2)).toBe('.bashrc (conflicted copy L 2)');
  });

  it('appends to a name without extension', () => {
    expect(conflictedName('README', 'L')).toBe('README (conflicted copy L)');
  });

  it('shortens a long stem to stay within 255 bytes, keeping the suffix and extension', () => {
    const name = 'x'.repeat(251) + '.txt';
    expect(bytes(name)).toBe(255);
    const out = conflictedName(name, 'Pixel 7');
    expect(bytes(out)).toBe(255);
    expect(out).toMatch(/^x+ \(conflicted copy Pixel 7\)\.txt$/);
    expect(nameProblem(out)).toBeNull();
  });

  it('keeps numbered copies of a long name distinct', () => {
    const name = 'x'.repeat(251) + '.txt';
    const two = conflictedName(name, 'L', 2);
    const three = conflictedName(name, 'L', 3);
    expect(two).not.toBe(three);
    expect(bytes(two)).toBeLessThanOrEqual(255);
    expect(bytes(three)).toBeLessThanOrEqual(255);
    expect(two.endsWith(' (conflicted copy L 2).txt')).toBe(true);
  });

  it('shortens a multi-byte stem within 255 bytes', () => {
    const out = conflictedName('é'.repeat(125) + '.txt', 'L');
    expect(bytes(out)).toBeLessThanOrEqual(255);
    expect(out.endsWith(' (conflicted copy L).txt')).toBe(true);
    expect(nameProblem(out)).toBeNull();
  });

  it('never cuts a character in half when shortening (emoji are surrogate pairs)', () => {
    // 70 × 4-byte emoji: shortening code unit by code unit can stop between the two halves.
    for (const [name, label, n] of [
      ['😀'.repeat(70) + '.txt', 'x', 1],
      ['😀'.repeat(70), 'x', 1],
      ['😀'.repeat(70) + '.jpeg', 'laptop', 2],
    ] as const) {
      const out = conflictedName(name, label, n);
      expect(hasLoneSurrogate(out), `${JSON.stringify(out)} has a lone surrogate`).toBe(false);
      expect(bytes(out)).toBeLessThanOrEqual(255);
    }
  });

  it('stays within 255 bytes even when the extension is long', () => {
    const name = 'a.' + 'x'.repeat(250);
    expect(nameProblem(name)).toBeNull();
    const out = conflictedName(name, 'L');
    expect(bytes(out)).toBeLessThanOrEqual(255);
    expect(nameProblem(out)).toBeNull();
  });
});
