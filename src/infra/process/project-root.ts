import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file whose package.json is pocketCloud's. */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'pocketcloud') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the pocketcloud package root');
    dir = up;
  }
}

export const PROJECT_ROOT = findRoot();
