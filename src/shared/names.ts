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
  | 'dot-name'
  | 'trailing-space-or-dot';

export function normalizeName(name: string): string {
  return name.normalize('NFC');
}

/** The key under which names collide. */
export function nameKey(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');
}

/** Why a name is not acceptable, or null if it is. Checks the NFC form. */
export function nameProblem(raw: string): NameProblem | null {
  const name = normalizeName(raw);
  if (name.length === 0) return 'empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return 'too-long';
  if (name.includes('/') || name.includes('\\')) return 'slash';
  // NUL and the other C0 controls: no file system a device uses accepts them.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control-character';
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

/** `name (conflicted copy <label>).ext`, numbered from 2 when taken: `name (conflicted copy <label> 2).ext`. */
export function conflictedName(name: string, label: string, n = 1): string {
  const dot = name.lastIndexOf('.');
  const hasExt = dot > 0 && dot < name.length - 1;
  const stem = hasExt ? name.slice(0, dot) : name;
  const ext = hasExt ? name.slice(dot) : '';
  const suffix = ` (conflicted copy ${label}${n > 1 ? ` ${n}` : ''})`;
  // Keep within 255 bytes by shortening the stem.
  let s = stem;
  while (Buffer.byteLength(s + suffix + ext, 'utf8') > MAX_NAME_BYTES && s.length > 1) s = s.slice(0, -1);
  return s + suffix + ext;
}
