/** True for a duplicate-key error (E11000) from MongoDB or FerretDB. */
export function isDuplicateKeyError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; writeErrors?: { code?: unknown }[]; cause?: unknown };
  if (e.code === 11000 || e.code === 11001) return true;
  if (Array.isArray(e.writeErrors) && e.writeErrors.some((w) => w.code === 11000)) return true;
  return false;
}
