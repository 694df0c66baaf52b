import { splitPath } from '../../shared/names.js';
import { rootNode, type Revision, type TreeNode } from '../../domain/node.js';
import type { TreeSource } from './tree-source.js';

/** Deeper than this, a walk up the tree stops: a cycle would otherwise never end. */
export const MAX_DEPTH = 1000;

type Lookup = (id: string) => Promise<TreeNode | null>;

/** "/a/b/c" of a node (where it is, or was when deleted), reading parents through `lookup`. */
export async function pathThrough(node: TreeNode, ns: string, lookup: Lookup): Promise<string> {
  const names: string[] = [];
  let cur: TreeNode | null = node;
  for (let depth = 0; cur && cur.id !== ns; depth++) {
    if (depth > MAX_DEPTH) throw new Error(`path of ${node.id} is deeper than ${MAX_DEPTH}: a cycle?`);
    names.push(cur.name);
    cur = await lookup(cur.parentId);
  }
  return '/' + names.reverse().join('/');
}

/**
 * Reads of one namespace's tree for one request or planning attempt, with a memo so a plan
 * touching the same node many times reads it once, and the walks (paths, subtrees, path
 * lookup) on top of the source's indexed reads. Valid only after catch-up (under the
 * namespace lock, for a write).
 */
export class TreeView {
  private readonly memo = new Map<string, TreeNode | null>();

  constructor(private readonly source: TreeSource) {}

  get ns(): string {
    return this.source.ns;
  }

  get root(): TreeNode {
    return rootNode(this.ns);
  }

  async node(id: string): Promise<TreeNode | null> {
    if (id === this.ns) return this.root;
    if (!this.memo.has(id)) this.memo.set(id, await this.source.node(id));
    return this.memo.get(id)!;
  }

  async liveChild(parentId: string, name: string): Promise<TreeNode | null> {
    return this.source.liveChildByName(parentId, name);
  }

  async children(parentId: string, which: 'live' | 'all'): Promise<TreeNode[]> {
    return this.source.children(parentId, which);
  }

  async liveChildrenPage(parentId: string, afterKey: string | null, limit: number): Promise<TreeNode[]> {
    return this.source.liveChildrenPage(parentId, afterKey, limit);
  }

  async trashRoots(limit: number, beforeSeq: number | null): Promise<TreeNode[]> {
    return this.source.trashRoots(limit, beforeSeq);
  }

  async expiredTrashRoots(before: Date): Promise<TreeNode[]> {
    return this.source.expiredTrashRoots(before);
  }

  async revision(nodeId: string, seq: number): Promise<Revision | null> {
    return this.source.revision(nodeId, seq);
  }

  async revisionsOf(nodeId: string): Promise<Revision[]> {
    return this.source.revisionsOf(nodeId);
  }

  async revisionsBefore(before: Date): Promise<Revision[]> {
    return this.source.revisionsBefore(before);
  }

  async referencesBlock(hash: string): Promise<boolean> {
    return this.source.referencesBlock(hash);
  }

  async pathOf(node: TreeNode): Promise<string> {
    return pathThrough(node, this.ns, (id) => this.node(id));
  }

  /** Every descendant of `root` (not root itself) that `keep` accepts, walking only into accepted folders. */
  async descendants(root: TreeNode, keep: (n: TreeNode) => boolean): Promise<TreeNode[]> {
    const out: TreeNode[] = [];
    let frontier = [root];
    while (frontier.length > 0) {
      const next: TreeNode[] = [];
      for (const f of frontier) {
        for (const c of await this.children(f.id, 'all')) {
          if (!keep(c)) continue;
          this.memo.set(c.id, c);
          out.push(c);
          if (c.kind === 'folder') next.push(c);
        }
      }
      frontier = next;
    }
    return out;
  }

  /** The live node at a path, or null. Throws PathError on a malformed path. */
  async resolvePath(path: string): Promise<TreeNode | null> {
    let cur: TreeNode = this.root;
    for (const name of splitPath(path)) {
      if (cur.kind !== 'folder') return null;
      const next = await this.liveChild(cur.id, name);
      if (!next) return null;
      cur = next;
    }
    return cur;
  }
}
