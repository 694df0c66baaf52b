import { isNodeId, uuidv7 } from '../../../shared/ids.js';
import { NamespaceErrors } from '../namespace.errors.js';
import type { Plan } from './plan.js';
import type { PlanContext } from './plan-context.js';

/** A file's content as a commit or a restored revision gives it. */
export interface Content {
  blocks: string[];
  size: number;
  contentHash: string;
  mtime: Date | null;
}

export interface CreateTarget {
  id?: string;
  parentId?: string;
  name?: string;
  path?: string;
  autorename?: boolean;
}

/** A new folder, or a new file with `content`: in a live folder (a deleted one comes back, rule 4), under a free name (rule 10). */
export async function planCreate(op: CreateTarget, p: PlanContext, kind: 'file' | 'folder', content?: Content): Promise<Plan> {
  const { parent, name } = await p.createTarget(op);
  let id = uuidv7();
  if (op.id !== undefined) {
    if (!isNodeId(op.id) || op.id === p.ctx.ns) throw NamespaceErrors.invalidId();
    const existing = await p.node(op.id);
    if (existing) {
      // Rule 1: the same create again (a retry) changes nothing.
      const same = existing.kind === kind && !existing.deleted && existing.parentId === parent.id && existing.name === name;
      if (same && (!content || existing.contentHash === content.contentHash)) return p.noop(existing);
      throw NamespaceErrors.idTaken();
    }
    id = op.id;
  }
  const live = await p.ensureLiveFolder(parent, 'PARENT_RESTORED', id);
  const placed = await p.placeName(live.id, name, id, op.autorename);
  const node = p.newNode(id, live, placed, kind);
  if (content) Object.assign(node, { size: content.size, contentHash: content.contentHash, blocks: content.blocks, mtime: content.mtime });
  p.set(node);
  return p.write(kind === 'folder' ? 'folder.create' : 'file.commit', content?.size ?? 0, id);
}
