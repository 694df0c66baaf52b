import { Injectable } from '@nestjs/common';
import { isNodeId } from '../../shared/ids.js';
import { nameKey, PathError } from '../../shared/names.js';
import type { AuthContext } from '../auth/auth.types.js';
import { rootNamespaceOf } from '../../domain/namespace.js';
import { toEntryDto, type EntryDto } from '../../domain/entry.dto.js';
import type { TreeNode } from '../../domain/node.js';
import type { BlockListDto, ContentQuery, ListPageDto, ListQuery, NodeRefQuery, RevisionDto, TrashPageDto } from './dto/read.dto.js';
import { decodeListCursor, encodeListCursor, type ListCursor } from './list-cursor.js';
import { NamespaceErrors } from './namespace.errors.js';
import { ProjectionService } from './projection.service.js';
import { TreeView } from './tree-view.js';

/**
 * The tree's reads as the HTTP API asks them: a node by id or path, folder listings,
 * block lists, revisions, the trash, at the journal head (ProjectionService.readable).
 */
@Injectable()
export class FileReads {
  constructor(private readonly projection: ProjectionService) {}

  /** A node by id (also in the trash) or by path (live only). */
  async metadata(auth: AuthContext, ref: NodeRefQuery): Promise<EntryDto> {
    const view = await this.view(auth);
    const node = await this.resolve(view, ref);
    return toEntryDto({ ...node, path: await view.pathOf(node) });
  }

  async list(auth: AuthContext, q: ListQuery): Promise<ListPageDto> {
    const view = await this.view(auth);
    const limit = q.limit ?? 500;
    let state: ListCursor;
    if (q.cursor) {
      state = decodeListCursor(q.cursor);
      const folder = await view.node(state.f);
      if (!folder || folder.deleted) throw NamespaceErrors.nodeNotFound();
    } else {
      const folder = await this.resolve(view, q);
      if (folder.kind !== 'folder') throw NamespaceErrors.notAFolder();
      if (folder.deleted) throw NamespaceErrors.nodeNotFound();
      state = { f: folder.id, r: q.recursive ?? false, s: [[folder.id, null]] };
    }
    const entries: EntryDto[] = [];
    const paths = new Map<string, string>();
    const pathOfFolder = async (id: string): Promise<string> => {
      if (!paths.has(id)) paths.set(id, await view.pathOf((await view.node(id))!));
      return paths.get(id)!;
    };
    walk: while (entries.length < limit && state.s.length > 0) {
      const frame = state.s[state.s.length - 1]!;
      const page = await view.liveChildrenPage(frame[0], frame[1], limit - entries.length);
      if (page.length === 0) {
        state.s.pop();
        continue;
      }
      const parentPath = await pathOfFolder(frame[0]);
      for (const child of page) {
        const path = parentPath === '/' ? `/${child.name}` : `${parentPath}/${child.name}`;
        entries.push(toEntryDto({ ...child, path }));
        frame[1] = nameKey(child.name);
        if (state.r && child.kind === 'folder') {
          // Depth first: the folder's contents come right after it (parents before children).
          paths.set(child.id, path);
          state.s.push([child.id, null]);
          continue walk;
        }
        if (entries.length >= limit) break;
      }
    }
    const hasMore = state.s.length > 0;
    return { entries, hasMore, cursor: hasMore ? encodeListCursor(state) : null };
  }

  /** A file's block list (current content, or a revision), for block-level downloads. */
  async blocks(auth: AuthContext, q: ContentQuery): Promise<BlockListDto> {
    const view = await this.view(auth);
    const node = await this.resolve(view, q);
    if (node.kind !== 'file') throw NamespaceErrors.notAFile();
    if (q.revision === undefined) {
      if (node.purged) throw NamespaceErrors.purged();
      return { id: node.id, revision: node.contentSeq, size: node.size, contentHash: node.contentHash!, blocks: node.blocks };
    }
    const rev = await view.revision(node.id, q.revision);
    if (!rev) throw NamespaceErrors.revisionNotFound();
    return { id: node.id, revision: rev.seq, size: rev.size, contentHash: rev.contentHash, blocks: rev.blocks };
  }

  async revisions(auth: AuthContext, ref: NodeRefQuery): Promise<RevisionDto[]> {
    const view = await this.view(auth);
    const node = await this.resolve(view, ref);
    if (node.kind !== 'file') throw NamespaceErrors.notAFile();
    const revisions = await view.revisionsOf(node.id);
    return revisions.map((r) => ({
      revision: r.seq,
      size: r.size,
      contentHash: r.contentHash,
      mtime: r.mtime,
      at: r.at,
      deviceId: r.deviceId,
      current: r.seq === node.contentSeq,
    }));
  }

  async trash(auth: AuthContext, limit: number, cursor: string | undefined): Promise<TrashPageDto> {
    const view = await this.view(auth);
    const before = cursor === undefined ? null : Number.parseInt(cursor, 10);
    if (before !== null && (!/^\d{1,15}$/.test(cursor!) || before < 1)) throw NamespaceErrors.invalidPageCursor();
    const roots = await view.trashRoots(limit + 1, before);
    const page = roots.slice(0, limit);
    const entries = await Promise.all(page.map(async (n) => ({ ...toEntryDto({ ...n, path: await view.pathOf(n) }), deletedAt: n.deletedAt })));
    const hasMore = roots.length > limit;
    return { entries, hasMore, cursor: hasMore ? String(page[page.length - 1]!.deletedSeq) : null };
  }

  /** A view of the caller's namespace at the journal head. */
  async view(auth: AuthContext): Promise<TreeView> {
    return new TreeView(await this.projection.readable(rootNamespaceOf(auth.userId)));
  }

  async resolve(view: TreeView, ref: NodeRefQuery): Promise<TreeNode> {
    if ((ref.id === undefined) === (ref.path === undefined)) throw NamespaceErrors.invalidPath('give exactly one of id and path');
    if (ref.id !== undefined) {
      if (ref.id !== view.ns && !isNodeId(ref.id)) throw NamespaceErrors.invalidId();
      const node = await view.node(ref.id);
      if (!node) throw NamespaceErrors.nodeNotFound();
      return node;
    }
    try {
      const node = await view.resolvePath(ref.path!);
      if (!node) throw NamespaceErrors.pathNotFound();
      return node;
    } catch (err) {
      if (err instanceof PathError) throw NamespaceErrors.invalidName(err.problem);
      throw err;
    }
  }
}
