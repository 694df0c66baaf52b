import { Body, Controller, Get, Head, HttpCode, Logger, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { downloadConditions, sendDownload } from '../../common/http/download.js';
import { ErrorBody } from '../../common/http/error-body.js';
import { WriteStatusInterceptor } from '../../common/http/write-status.interceptor.js';
import { Auth } from '../auth/auth.decorators.js';
import type { AuthContext } from '../auth/auth.types.js';
import { EntryDto } from '../../domain/entry.dto.js';
import { ContentService } from './content.service.js';
import { BlockListDto, ContentQuery, ListPageDto, ListQuery, NodeRefQuery, RevisionDto, TrashPageDto, TrashQuery } from './dto/read.dto.js';
import {
  BatchDto,
  BatchResultDto,
  CommitFileDto,
  CreateFolderDto,
  DeleteDto,
  MoveDto,
  RestoreDto,
  RestoreRevisionDto,
  WriteResultDto,
} from './dto/write.dto.js';
import { FileReads } from './file-reads.service.js';
import { FileWrites } from './file-writes.service.js';

const WRITE_ERRORS = 'NAME_TAKEN (409, with autorename=false; details.current), ID_TAKEN, OP_ID_REUSED; see docs/errors.md';

@ApiTags('files')
@ApiBearerAuth()
@Controller('v1')
export class FilesController {
  private readonly logger = new Logger(FilesController.name);

  constructor(
    private readonly writes: FileWrites,
    private readonly reads: FileReads,
    private readonly content: ContentService,
  ) {}

  @Post('folders')
  @UseInterceptors(WriteStatusInterceptor)
  @ApiOperation({ operationId: 'createFolder', summary: 'Create a folder (by parentId + name, or path).' })
  @ApiResponse({ status: 201, type: WriteResultDto, description: 'Changed (200 with seq null: it was already so).' })
  @ApiResponse({ status: 409, type: ErrorBody, description: WRITE_ERRORS })
  createFolder(@Auth() auth: AuthContext, @Body() dto: CreateFolderDto): Promise<WriteResultDto> {
    return this.writes.createFolder(auth, dto);
  }

  @Post('files/commit')
  @UseInterceptors(WriteStatusInterceptor)
  @ApiOperation({
    operationId: 'commitFile',
    summary: 'Create a file, or a new version of one, from blocks you uploaded. With an existing id: a new version.',
  })
  @ApiResponse({ status: 201, type: WriteResultDto, description: 'Changed (200 with seq null: it was already so).' })
  @ApiResponse({ status: 400, type: ErrorBody, description: 'BLOCKS_MISSING (details.missing), BLOCKS_MISMATCH' })
  @ApiResponse({ status: 403, type: ErrorBody, description: 'QUOTA_EXCEEDED' })
  @ApiResponse({ status: 409, type: ErrorBody, description: WRITE_ERRORS })
  commit(@Auth() auth: AuthContext, @Body() dto: CommitFileDto): Promise<WriteResultDto> {
    return this.writes.commit(auth, dto);
  }

  @Post('files/move')
  @UseInterceptors(WriteStatusInterceptor)
  @ApiOperation({ operationId: 'moveNode', summary: 'Rename and/or move a file or folder.' })
  @ApiResponse({ status: 201, type: WriteResultDto, description: 'Changed (200 with seq null: it was already so).' })
  @ApiResponse({ status: 400, type: ErrorBody, description: 'MOVE_INTO_ITSELF, NOT_A_FOLDER, INVALID_NAME' })
  @ApiResponse({ status: 409, type: ErrorBody, description: WRITE_ERRORS })
  move(@Auth() auth: AuthContext, @Body() dto: MoveDto): Promise<WriteResultDto> {
    return this.writes.move(auth, dto);
  }

  @Post('files/delete')
  @UseInterceptors(WriteStatusInterceptor)
  @ApiOperation({ operationId: 'deleteNode', summary: 'Move a file or folder (with its subtree) to the trash.' })
  @ApiResponse({ status: 201, type: WriteResultDto, description: 'Changed (200 with seq null: it was already so).' })
  @ApiResponse({ status: 409, type: ErrorBody, description: WRITE_ERRORS })
  delete(@Auth() auth: AuthContext, @Body() dto: DeleteDto): Promise<WriteResultDto> {
    return this.writes.delete(auth, dto);
  }

  @Post('files/restore')
  @UseInterceptors(WriteStatusInterceptor)
  @ApiOperation({ operationId: 'restoreNode', summary: 'Bring a node back from the trash, with what the same delete removed.' })
  @ApiResponse({ status: 201, type: WriteResultDto, description: 'Changed (200 with seq null: it was already so).' })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'NOT_IN_TRASH, PARENT_DELETED, NAME_TAKEN' })
  restore(@Auth() auth: AuthContext, @Body() dto: RestoreDto): Promise<WriteResultDto> {
    return this.writes.restore(auth, dto);
  }

  @Post('files/revisions/restore')
  @UseInterceptors(WriteStatusInterceptor)
  @ApiOperation({ operationId: 'restoreRevision', summary: 'Make an old version the current content (a new version).' })
  @ApiResponse({ status: 201, type: WriteResultDto, description: 'Changed (200 with seq null: it was already so).' })
  restoreRevision(@Auth() auth: AuthContext, @Body() dto: RestoreRevisionDto): Promise<WriteResultDto> {
    return this.writes.restoreRevision(auth, dto);
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'batch',
    summary: 'Many operations in one request, applied in order; each is its own journal entry with its own result.',
  })
  @ApiResponse({ status: 200, type: BatchResultDto })
  batch(@Auth() auth: AuthContext, @Body() dto: BatchDto): Promise<BatchResultDto> {
    return this.writes.batch(auth, dto);
  }

  @Get('files/metadata')
  @ApiOperation({ operationId: 'getMetadata', summary: 'A file or folder by id (also in the trash) or by path.' })
  @ApiResponse({ status: 200, type: EntryDto })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'NODE_NOT_FOUND, PATH_NOT_FOUND' })
  metadata(@Auth() auth: AuthContext, @Query() q: NodeRefQuery): Promise<EntryDto> {
    return this.reads.metadata(auth, q);
  }

  @Get('files/list')
  @ApiOperation({ operationId: 'listFolder', summary: 'A folder’s contents in name order, paginated; optionally recursive.' })
  @ApiResponse({ status: 200, type: ListPageDto })
  list(@Auth() auth: AuthContext, @Query() q: ListQuery): Promise<ListPageDto> {
    return this.reads.list(auth, q);
  }

  @Get('files/blocks')
  @ApiOperation({ operationId: 'getBlockList', summary: 'A file’s block list (or a revision’s), to download only the blocks you lack.' })
  @ApiResponse({ status: 200, type: BlockListDto })
  @ApiResponse({ status: 410, type: ErrorBody, description: 'PURGED' })
  blockList(@Auth() auth: AuthContext, @Query() q: ContentQuery): Promise<BlockListDto> {
    return this.reads.blocks(auth, q);
  }

  @Get('files/revisions')
  @ApiOperation({ operationId: 'listRevisions', summary: 'A file’s versions, newest first.' })
  @ApiResponse({ status: 200, type: [RevisionDto] })
  revisions(@Auth() auth: AuthContext, @Query() q: NodeRefQuery): Promise<RevisionDto[]> {
    return this.reads.revisions(auth, q);
  }

  @Get('trash')
  @ApiOperation({ operationId: 'listTrash', summary: 'What was deleted and can be restored, newest first.' })
  @ApiResponse({ status: 200, type: TrashPageDto })
  trash(@Auth() auth: AuthContext, @Query() q: TrashQuery): Promise<TrashPageDto> {
    return this.reads.trash(auth, q.limit ?? 200, q.cursor);
  }

  @Get('files/content')
  @ApiOperation({ operationId: 'downloadFile', summary: 'File content, streamed. Supports Range, ETag (the content hash), If-None-Match.' })
  @ApiProduces('application/octet-stream')
  @ApiResponse({ status: 200, description: 'The bytes.' })
  @ApiResponse({ status: 206, description: 'The requested range.' })
  @ApiResponse({ status: 416, type: ErrorBody, description: 'RANGE_NOT_SATISFIABLE' })
  async download(@Auth() auth: AuthContext, @Query() q: ContentQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await sendDownload(res, await this.content.download(auth, q, downloadConditions(req)), this.logger);
  }

  @Head('files/content')
  @ApiOperation({ operationId: 'headFile', summary: 'Headers of a download, without the bytes.' })
  async head(@Auth() auth: AuthContext, @Query() q: ContentQuery, @Req() req: Request, @Res() res: Response): Promise<void> {
    await sendDownload(res, await this.content.download(auth, q, downloadConditions(req)), this.logger);
  }

  @Get('blocks/:hash')
  @ApiTags('blocks')
  @ApiOperation({ operationId: 'downloadBlock', summary: 'A raw block, if one of your files (current, old or trashed) uses it.' })
  @ApiProduces('application/octet-stream')
  @ApiResponse({ status: 200, description: 'The block’s bytes.' })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'BLOCK_NOT_FOUND' })
  async downloadBlock(@Auth() auth: AuthContext, @Param('hash') hash: string, @Res() res: Response): Promise<void> {
    await sendDownload(res, await this.content.downloadBlock(auth, hash), this.logger);
  }
}
