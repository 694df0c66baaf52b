import { Body, Controller, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorBody } from '../../common/http/error-body.js';
import { Auth } from '../auth/auth.decorators.js';
import type { AuthContext } from '../auth/auth.types.js';
import { BlocksErrors } from './blocks.errors.js';
import { BlocksService } from './blocks.service.js';
import { CheckBlocksDto, CheckBlocksResultDto, UploadBlockResultDto } from './dto/blocks.dto.js';

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
