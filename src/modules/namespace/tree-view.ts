import { splitPath } from '../../shared/names.js';
import { rootNode, type Revision, type TreeNode } from '../../domain/node.js';
import type { TreeRepository } from './tree.repository.js';

const MAX_DEPTH = 1000;

/**
 * Reads of one namespace's tree for one planning attempt, with a memo so a plan touching the
 * same node many times reads it once. Valid only under the namespace lock, after catch-up.
 */
export class TreeView {
  private readonly memo = new Map<string, TreeNode | null>();

  constructor(
    readonly ns: string,
    private readonly repo: TreeRepository,
  ) {}

  get root(): TreeNode {
    return rootNode(this.ns);
  }

  async node(id: string): Promise<TreeNode | null> {
    if (id === this.ns) return this.root;
    if (!this.memo.has(id)) this.memo.set(id, await this.repo.node(this.ns, id));
    return this.memo.get(id)!;
  }

  liveChild(parentId: string, name: string): Promise<TreeNode | null> {
    return this.repo.liveChildByName(this.ns, parentId, name);
  }

  children(parentId: string, which: 'live' | 'all'): Promise<TreeNode[]> {
    return this.repo.children(this.ns, parentId, which);
  }

  revision(nodeId: string, seq: number): Promise<Revision | null> {
    return this.repo.revision(this.ns, nodeId, seq);
  }

  /** "/a/b/c" of a node (where it is, or was when deleted). */
  async pathOf(node: TreeNode): Promise<string> {
    const names: string[] = [];
    let cur: TreeNode | null = node;
    for (let depth = 0; cur && cur.id !== this.ns; depth++) {
      if (depth > MAX_DEPTH) throw new Error(`path of ${node.id} is deeper than ${MAX_DEPTH}: a cycle?`);
      names.push(cur.name);
      cur = await this.node(cur.parentId);
    }
    return '/' + names.reverse().join('/');
  }

  /** Whether `ancestorId` is `id` itself or above it. */
  async isSelfOrAncestor(ancestorId: string, id: string): Promise<boolean> {
    let cur = await this.node(id);
    for (let depth = 0; cur; depth++) {
      if (cur.id === ancestorId) return true;
      if (cur.id === this.ns || depth > MAX_DEPTH) return false;
      cur = await this.node(cur.parentId);
    }
    return false;
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
