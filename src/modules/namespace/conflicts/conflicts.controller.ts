import { Body, Controller, Get, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBody } from '../../../common/http/error-body.js';
import { WriteStatusInterceptor } from '../../../common/http/write-status.interceptor.js';
import { Auth } from '../../auth/auth.decorators.js';
import type { AuthContext } from '../../auth/auth.types.js';
import { ConflictPageDto, ConflictsQuery } from '../dto/read.dto.js';
import { ResolveConflictDto, WriteResultDto } from '../dto/write.dto.js';
import { FileWrites } from '../file-writes.service.js';
import { ConflictsService } from './conflicts.service.js';

/** The conflicts the server settled; resolving one is an ordinary journaled write of the tree. */
@ApiTags('conflicts')
@ApiBearerAuth()
@Controller('v1/conflicts')
export class ConflictsController {
  constructor(
    private readonly conflicts: ConflictsService,
    private readonly writes: FileWrites,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listConflicts', summary: 'Conflicts the server settled for you, newest first.' })
  @ApiResponse({ status: 200, type: ConflictPageDto })
  list(@Auth() auth: AuthContext, @Query() q: ConflictsQuery): Promise<ConflictPageDto> {
    return this.conflicts.listMine(auth, q);
  }

  @Post(':id/resolve')
  @UseInterceptors(WriteStatusInterceptor)
  @ApiOperation({
    operationId: 'resolveConflict',
    summary: 'Resolve a conflict (keep mine / keep theirs / keep both for EDIT_EDIT; acknowledge for the rest). A journaled write.',
  })
  @ApiResponse({ status: 201, type: WriteResultDto })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'CONFLICT_NOT_FOUND' })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'CONFLICT_ALREADY_RESOLVED' })
  @ApiResponse({ status: 400, type: ErrorBody, description: 'RESOLUTION_NOT_APPLICABLE' })
  resolve(@Auth() auth: AuthContext, @Param('id') id: string, @Body() dto: ResolveConflictDto): Promise<WriteResultDto> {
    return this.writes.resolveConflict(auth, id, dto);
  }
}
