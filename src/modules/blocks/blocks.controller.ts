import { Body, Controller, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorBody } from '../../common/http/error-body.js';
import { PACK_CONTENT_TYPE, PACK_MAX_BLOCKS } from '../../shared/block-pack.js';
import { Auth } from '../auth/auth.decorators.js';
import type { AuthContext } from '../auth/auth.types.js';
import { BlocksErrors } from './blocks.errors.js';
import { BlocksService } from './blocks.service.js';
import { CheckBlocksDto, CheckBlocksResultDto, UploadBlockPackResultDto, UploadBlockResultDto } from './dto/blocks.dto.js';

@ApiTags('blocks')
@ApiBearerAuth()
@Controller('v1/blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  @Post('check')
  @HttpCode(200)
  @ApiOperation({ operationId: 'checkBlocks', summary: 'Which of these blocks you still have to upload.' })
  @ApiResponse({ status: 200, type: CheckBlocksResultDto })
  async check(@Auth() auth: AuthContext, @Body() dto: CheckBlocksDto): Promise<CheckBlocksResultDto> {
    return { missing: await this.blocks.missing(auth.userId, dto.hashes) };
  }

  @Post('pack')
  @ApiOperation({
    operationId: 'uploadBlockPack',
    summary: `Upload up to ${PACK_MAX_BLOCKS} small blocks in one body (a block pack, Content-Length required); each verified against its hash as it streams.`,
    description:
      'Body: "PCB1", a uint32 count, count × (32-byte SHA-256, uint32 size), then the blocks in that order (integers big-endian). ' +
      'Each block is taken as `PUT /v1/blocks/{hash}` takes one. A block whose bytes do not match stops the pack: the blocks before it are kept.',
  })
  @ApiConsumes(PACK_CONTENT_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 200, type: UploadBlockPackResultDto })
  @ApiResponse({ status: 400, type: ErrorBody, description: 'INVALID_BLOCK_PACK, HASH_MISMATCH (details: index, hash), SIZE_MISMATCH, REQUEST_ABORTED' })
  @ApiResponse({ status: 411, type: ErrorBody, description: 'LENGTH_REQUIRED' })
  @ApiResponse({ status: 415, type: ErrorBody, description: `UNSUPPORTED_MEDIA_TYPE: send ${PACK_CONTENT_TYPE}` })
  @HttpCode(200)
  async uploadPack(@Auth() auth: AuthContext, @Req() req: Request): Promise<UploadBlockPackResultDto> {
    if (req.headers['content-type'] !== PACK_CONTENT_TYPE) throw BlocksErrors.wrongPackType();
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    return { results: await this.blocks.uploadPack(auth.userId, req, length) };
  }

  @Put(':hash')
  @ApiOperation({
    operationId: 'uploadBlock',
    summary: 'Upload one block (≤ 4 MiB, raw bytes, Content-Length required). Verified against the hash as it streams.',
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 201, type: UploadBlockResultDto, description: 'Stored (or already yours: created=false, 200).' })
  @ApiResponse({ status: 400, type: ErrorBody, description: 'INVALID_HASH, HASH_MISMATCH, SIZE_MISMATCH' })
  @ApiResponse({ status: 411, type: ErrorBody, description: 'LENGTH_REQUIRED' })
  @ApiResponse({ status: 413, type: ErrorBody, description: 'BLOCK_TOO_LARGE' })
  async upload(
    @Auth() auth: AuthContext,
    @Param('hash') hash: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UploadBlockResultDto> {
    const type = req.headers['content-type'];
    if (type !== undefined && !type.startsWith('application/octet-stream')) throw BlocksErrors.wrongContentType();
    const length = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
    const result = await this.blocks.upload(auth.userId, hash, req, length);
    res.status(result.created ? 201 : 200);
    return result;
  }
}
