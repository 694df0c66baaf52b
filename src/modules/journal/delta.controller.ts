import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBody } from '../../common/http/error-body.js';
import { Auth } from '../auth/auth.decorators.js';
import type { AuthContext } from '../auth/auth.types.js';
import { DeltaService } from './delta.service.js';
import { DeltaPageDto, DeltaQuery, LatestCursorDto } from './dto/delta.dto.js';

@ApiTags('delta')
@ApiBearerAuth()
@Controller('v1/delta')
export class DeltaController {
  constructor(private readonly delta: DeltaService) {}

  @Get()
  @ApiOperation({
    operationId: 'readDelta',
    summary: 'Changes after a cursor, in journal order, each exactly once; page on with the returned cursor.',
  })
  @ApiResponse({ status: 200, type: DeltaPageDto })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'CURSOR_RESET: a cursor this server did not make, or one more than DELTA_RELIST_AFTER_ENTRIES entries behind: relist, or read from the start' })
  read(@Auth() auth: AuthContext, @Query() q: DeltaQuery): Promise<DeltaPageDto> {
    return this.delta.read(auth, q.cursor, q.limit ?? 1000);
  }

  @Get('latest')
  @ApiOperation({ operationId: 'latestCursor', summary: 'The cursor at the head of the journal (nothing to read after it).' })
  @ApiResponse({ status: 200, type: LatestCursorDto })
  latest(@Auth() auth: AuthContext): Promise<LatestCursorDto> {
    return this.delta.latest(auth);
  }
}
