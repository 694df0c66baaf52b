import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBody } from '../../common/http/error-body.js';
import { uuidPipe } from '../../common/http/validation.js';
import { Auth, RequireRole } from '../auth/auth.decorators.js';
import type { AuthContext } from '../auth/auth.types.js';
import { AdminService } from './admin.service.js';
import {
  AdminConflictsQuery,
  AdminDeviceDto,
  AdminUserDto,
  AdminUserPageDto,
  AdminUsersQuery,
  GcJobDto,
  PurgeJobDto,
  StorageDto,
  UpdateUserDto,
} from './dto/admin.dto.js';
import { ConflictPageDto } from '../namespace/dto/read.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@RequireRole('admin')
@ApiResponse({ status: 403, type: ErrorBody, description: 'ADMIN_ONLY' })
@Controller('v1/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('users')
  @ApiOperation({ operationId: 'adminListUsers', summary: 'Users by email, searchable, with usage.' })
  @ApiResponse({ status: 200, type: AdminUserPageDto })
  listUsers(@Query() q: AdminUsersQuery): Promise<AdminUserPageDto> {
    return this.admin.listUsers(q);
  }

  @Get('users/:id')
  @ApiOperation({ operationId: 'adminGetUser', summary: 'One user.' })
  @ApiResponse({ status: 200, type: AdminUserDto })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'USER_NOT_FOUND' })
  getUser(@Param('id', uuidPipe) id: string): Promise<AdminUserDto> {
    return this.admin.getUser(id);
  }

  @Patch('users/:id')
  @ApiOperation({ operationId: 'adminUpdateUser', summary: 'Disable or enable a user, set the quota or the role.' })
  @ApiResponse({ status: 200, type: AdminUserDto })
  @ApiResponse({ status: 400, type: ErrorBody, description: 'CANNOT_CHANGE_OWN_ACCESS' })
  updateUser(@Auth() auth: AuthContext, @Param('id', uuidPipe) id: string, @Body() dto: UpdateUserDto): Promise<AdminUserDto> {
    return this.admin.updateUser(auth, id, dto);
  }

  @Get('users/:id/devices')
  @ApiOperation({ operationId: 'adminUserDevices', summary: 'A user’s devices with their sync lag.' })
  @ApiResponse({ status: 200, type: [AdminDeviceDto] })
  userDevices(@Param('id', uuidPipe) id: string): Promise<AdminDeviceDto[]> {
    return this.admin.userDevices(id);
  }

  @Get('storage')
  @ApiOperation({ operationId: 'adminStorage', summary: 'Storage use: live, logical and stored bytes, and the dedup ratio.' })
  @ApiResponse({ status: 200, type: StorageDto })
  storage(): Promise<StorageDto> {
    return this.admin.storage();
  }

  @Get('conflicts')
  @ApiOperation({ operationId: 'adminListConflicts', summary: 'Conflicts of every user (or one), newest first.' })
  @ApiResponse({ status: 200, type: ConflictPageDto })
  conflicts(@Query() q: AdminConflictsQuery): Promise<ConflictPageDto> {
    return this.admin.conflictsOf(q);
  }

  @Post('jobs/purge')
  @HttpCode(200)
  @ApiOperation({ operationId: 'adminRunPurge', summary: 'Purge trash and old versions past retention, now.' })
  @ApiResponse({ status: 200, type: PurgeJobDto })
  purge(): Promise<PurgeJobDto> {
    return this.admin.purge();
  }

  @Post('jobs/gc')
  @HttpCode(200)
  @ApiOperation({ operationId: 'adminRunGc', summary: 'Collect unreferenced blocks now (mark and sweep with a grace period).' })
  @ApiResponse({ status: 200, type: GcJobDto })
  gc(): Promise<GcJobDto> {
    return this.admin.gc();
  }
}
