import { ApiProperty } from '@nestjs/swagger';
import type { NodeKind, NodeState } from './node.js';

/** A file or folder as clients see it. */
export class EntryDto {
  @ApiProperty({ format: 'uuid', description: 'Stable id: survives renames and moves.' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The parent folder; the namespace root has the id of the namespace.' })
  parentId!: string;
  @ApiProperty({ example: '/Photos/cat.jpg', description: 'Path when this state was recorded.' }) path!: string;
  @ApiProperty({ example: 'cat.jpg' }) name!: string;
  @ApiProperty({ enum: ['file', 'folder'] }) kind!: NodeKind;
  @ApiProperty({ description: 'Journal seq of the last change to this node.' }) rev!: number;
  @ApiProperty({ description: 'Bytes (0 for folders).' }) size!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Dropbox content hash (files).' }) contentHash!: string | null;
  @ApiProperty({ nullable: true, type: Date, description: 'Modification time reported by the device (display only).' })
  mtime!: Date | null;
  @ApiProperty({ description: 'In the trash; a deleted folder’s subtree is deleted with it.' }) deleted!: boolean;
}

export class DeltaEntryDto extends EntryDto {
  @ApiProperty({ description: 'The journal seq of the change.' }) seq!: number;
}

export function toEntryDto(n: NodeState): EntryDto {
  return {
    id: n.id,
    parentId: n.parentId,
    path: n.path,
    name: n.name,
    kind: n.kind,
    rev: n.rev,
    size: n.size,
    contentHash: n.contentHash,
    mtime: n.mtime,
    deleted: n.deleted,
  };
}
