import { isWellFormedText } from './text.js';
/**
 * File and folder names. A name is stored NFC-normalized; two names collide when their keys
 * are equal: NFC plus case folding, because phones and PCs with case-insensitive file systems
 * cannot hold both. The folding is deliberately broad (upper- then lower-casing folds ß to ss
 * as macOS does): a false collision only renames a file, a missed one breaks a device.
 */

export const MAX_NAME_BYTES = 255;

export type NameProblem =
  | 'empty'
  | 'too-long'
  | 'slash'
  | 'control-character'
  | 'invalid-unicode'
  | 'dot-name'
  | 'trailing-space-or-dot';

export function normalizeName(name: string): string {
  return name.normalize('NFC');
}

/**
 * The key under which names collide. Folding twice makes it stable: the capital sharp s
 * (ẞ) lowers to ß, which only the second pass folds to "ss" like ß and SS.
 */
export function nameKey(name: string): string {
  const once = name.normalize('NFC').toUpperCase().toLowerCase();
  return once.toUpperCase().toLowerCase().normalize('NFC');
}

/** Why a name is not acceptable, or null if it is. Checks the NFC form. */
export function nameProblem(raw: string): NameProblem | null {
  // A lone surrogate is not text: no file system stores it and NFC leaves it as it is.
  if (!isWellFormedText(raw)) return 'invalid-unicode';
  const name = normalizeName(raw);
  if (name.length === 0) return 'empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return 'too-long';
  if (name.includes('/') || name.includes('\\')) return 'slash';
  // NUL and the other C0 controls, DEL and the C1 controls (U+0080–U+009F, NEL among them):
  // no file system a device uses accepts them, and they break terminals and XML (WebDAV).
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'control-character';
  if (name === '.' || name === '..') return 'dot-name';
  // Windows strips these and Android's FAT/exFAT storage refuses them.
  if (/[ .]$/.test(name)) return 'trailing-space-or-dot';
  return null;
}

/** Splits "/a/b/c" into names; "" and "/" are the root. Throws on a bad component. */
export function splitPath(path: string): string[] {
  const parts = path.split('/').filter((p) => p.length > 0);
  for (const p of parts) {
    const problem = nameProblem(p);
    if (problem) throw new PathError(p, problem);
  }
  return parts.map(normalizeName);
}

export class PathError extends Error {
  constructor(
    readonly component: string,
    readonly problem: NameProblem,
  ) {
    super(`path component ${JSON.stringify(component)}: ${problem}`);
  }
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * `name (conflicted copy <label>).ext`, numbered from 2 when taken:
 * `name (conflicted copy <label> 2).ext`. Always a valid name: the label loses characters no
 * name may hold, and the stem (then, if need be, the extension) is shortened a whole
 * character at a time until the result fits in 255 bytes.
 */
export function conflictedName(name: string, label: string, n = 1): string {
  const dot = name.lastIndexOf('.');
  const hasExt = dot > 0 && dot < name.length - 1;
  const stem = [...graphemes.segment(hasExt ? name.slice(0, dot) : name)].map((g) => g.segment);
  let ext = hasExt ? name.slice(dot) : '';
  // eslint-disable-next-line no-control-regex
  const cleanLabel = [...graphemes.segment(label.replace(/[/\\\u0000-\u001f\u007f-\u009f]/g, '_').trim())]
    .slice(0, 40)
    .map((g) => g.segment)
    .join('');
  const suffix = ` (conflicted copy ${cleanLabel}${n > 1 ? ` ${n}` : ''})`;
  const size = (): number => Buffer.byteLength(stem.join('') + suffix + ext, 'utf8');
  while (size() > MAX_NAME_BYTES && stem.length > 1) stem.pop();
  if (size() > MAX_NAME_BYTES) ext = '';
  while (size() > MAX_NAME_BYTES && stem.length > 1) stem.pop();
  return normalizeName(stem.join('') + suffix + ext);
}
