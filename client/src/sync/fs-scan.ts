import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { mapLimit } from '../../../src/shared/async.js';
import { nameProblem } from '../../../src/shared/names.js';
import type { Observed } from './local-diff.js';

/** Files the engine writes while downloading (renamed into place when complete): never synced. */
export const TEMP_PREFIX = '.~pc-';
/**
 * The sync engine's own temp files are `TEMP_PREFIX` + a node id. Outside an apply (which never
 * overlaps a scan) one is a leftover of an apply that was interrupted — and may since have been
 * carried elsewhere by the user moving its folder. Other temp names (`pocketcloud get`) belong
 * to other processes and are left alone.
 */
const ENGINE_TEMP = /^\.~pc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Entries of a folder stat'ed at once. */
const STAT_PARALLEL = 16;
/** The state folder, when it lives inside the synced folder. */
export const STATE_DIR = '.pocketcloud';

/** Names the scan never syncs: our temp files, the state folder, and names the server refuses. */
export function ignoredName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) || name === STATE_DIR || nameProblem(name) !== null;
}

export interface WalkResult {
  entries: Observed[];
  /** Paths skipped because the server would refuse their names (or they are links / devices). */
  skipped: string[];
  /** The engine's temp files (see ENGINE_TEMP). */
  engineTemps: string[];
}

/** Lists the synced folder: every file and folder, parents before children, with inode, birth time, size and mtime. */
export async function walkFolder(root: string): Promise<WalkResult> {
  const entries: Observed[] = [];
  const skipped: string[] = [];
  const engineTemps: string[] = [];
  const queue: string[] = [''];
  while (queue.length > 0) {
    const rel = queue.shift()!;
    let names: string[];
    try {
      names = (await readdir(path.join(root, rel))).sort();
    } catch (err) {
      // The folder vanished while we walked: whatever was in it is gone.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') continue;
      throw err;
    }
    const wanted: string[] = [];
    for (const name of names) {
      const p = rel === '' ? name : `${rel}/${name}`;
      if (ENGINE_TEMP.test(name)) engineTemps.push(p);
      if (name.startsWith(TEMP_PREFIX) || (rel === '' && name === STATE_DIR)) continue;
      if (ignoredName(name)) skipped.push(p);
      else wanted.push(name);
    }
    // A folder of thousands of files: several stats in flight, results in name order.
    const stats = await mapLimit(wanted, STAT_PARALLEL, (name) => lstat(path.join(root, rel, name)).catch(() => null));
    for (const [i, name] of wanted.entries()) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const st = stats[i];
      if (!st) continue;
      const kind = st.isDirectory() ? 'folder' : st.isFile() ? 'file' : null;
      if (kind === null) {
        skipped.push(p);
        continue;
      }
      entries.push({
        path: p,
        parent: rel,
        name,
        kind,
        ino: st.ino,
        birthMs: st.birthtimeMs > 0 ? st.birthtimeMs : 0,
        size: kind === 'file' ? st.size : 0,
        mtimeMs: st.mtimeMs,
      });
      if (kind === 'folder') queue.push(p);
    }
  }
  return { entries, skipped, engineTemps };
}
