import type { Collection } from 'mongodb';

/** True for a duplicate-key error (E11000) from MongoDB or FerretDB. */
export function isDuplicateKeyError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: unknown; writeErrors?: { code?: unknown }[]; cause?: unknown };
  if (e.code === 11000 || e.code === 11001) return true;
  if (Array.isArray(e.writeErrors) && e.writeErrors.some((w) => w.code === 11000)) return true;
  return false;
}

/** Inserts all, unordered; returns the indexes that were there already (duplicate keys). */
export async function insertIgnoringDuplicates<T extends { _id: string }>(c: Collection<T>, docs: readonly T[]): Promise<number[]> {
  if (docs.length === 0) return [];
  try {
    await c.insertMany(docs as never, { ordered: false });
    return [];
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { code?: number; index: number }[] | { code?: number; index: number } }).writeErrors;
    const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
    if (list.length === 0 || list.some((w) => w.code !== 11000)) throw err;
    return list.map((w) => w.index);
  }
}
