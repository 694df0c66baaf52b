import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walkFolder } from '../../client/src/sync/fs-scan.js';

describe('walkFolder', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'pc-walk-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("reports the engine's leftover temp files, wherever a folder move carried them, and syncs none of them", async () => {
    await mkdir(path.join(root, 'x', 'y'), { recursive: true });
    await writeFile(path.join(root, 'a.txt'), 'a');
    await writeFile(path.join(root, 'x', 'y', '.~pc-01a21f45-a4db-70c8-a9cf-622fd32c56d5'), 'partial');
    await writeFile(path.join(root, '.~pc-019ACDEF-0000-7000-8000-000000000001'), 'partial');
    // A `pocketcloud get` in progress in another process: not the engine's to remove.
    await writeFile(path.join(root, 'x', '.~pc-get-4242'), 'partial');

    const walk = await walkFolder(root);

    expect(walk.engineTemps.sort()).toEqual(['.~pc-019ACDEF-0000-7000-8000-000000000001', 'x/y/.~pc-01a21f45-a4db-70c8-a9cf-622fd32c56d5']);
    expect(walk.entries.map((e) => e.path).sort()).toEqual(['a.txt', 'x', 'x/y']);
    expect(walk.skipped).toEqual([]);
  });
});
