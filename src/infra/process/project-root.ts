import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (this file sits at {src,dist}/infra/process/). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
