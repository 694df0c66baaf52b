import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { nameProblem } from '../../../src/shared/names.js';
import type { Observed } from './local-diff.js';

/** Files the engine writes while downloading (renamed into place when complete): never synced. */
export const TEMP_PREFIX = '.~pc-';
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
}

/** Lists the synced folder: every file and folder, parents before children, with inode, birth time, size and mtime. */
export async function walkFolder(root: string): Promise<WalkResult> {
  const entries: Observed[] = [];
  const skipped: string[] = [];
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
    for (const name of names) {
      if (name.startsWith(TEMP_PREFIX) || (rel === '' && name === STATE_DIR)) continue;
      const p = rel === '' ? name : `${rel}/${name}`;
      if (ignoredName(name)) {
        skipped.push(p);
        continue;
      }
      let st;
      try {
        st = await lstat(path.join(root, p));
      } catch {
        continue;
      }
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
  return { entries, skipped };
}
