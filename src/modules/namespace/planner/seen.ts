import type { TreeNode } from '../../../domain/node.js';
import type { SeenAttributes } from '../conflicts/conflict-policy.js';
import type { WriteContext } from '../operations.js';

/** The device had seen a change if it came before its base cursor, or if it made it itself. */
export function seen(seq: number, dev: string | null, ctx: WriteContext): boolean {
  return seq <= ctx.baseSeq || (dev !== null && dev === ctx.deviceId);
}

export function seenAttributes(n: TreeNode, ctx: WriteContext): SeenAttributes {
  return {
    content: seen(n.contentSeq, n.contentDev, ctx),
    location: seen(n.locationSeq, n.locationDev, ctx),
    deletion: seen(n.deletedSeq, n.deletedDev, ctx),
  };
}
