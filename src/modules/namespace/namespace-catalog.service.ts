import { Injectable } from '@nestjs/common';
import { TreeRepository } from './tree.repository.js';

/**
 * What other modules may ask about all namespaces at once (admin totals, garbage collection's
 * marks), so none of them reads the tree's collections.
 */
@Injectable()
export class NamespaceCatalog {
  constructor(private readonly tree: TreeRepository) {}

  /** Every namespace with its owner. */
  namespaces(): AsyncIterable<{ id: string; ownerId: string }> {
    return this.tree.allNamespaceIds();
  }

  /** The blocks of every retained revision (current, old and trashed content), per namespace. */
  referencedBlocks(): AsyncIterable<{ ns: string; blocks: string[] }> {
    return this.tree.referencedBlocks();
  }

  /** Bytes of every retained version as users see them: before dedup. */
  retainedBytes(): Promise<number> {
    return this.tree.retainedBytes();
  }
}
