import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBody } from '../../common/http/error-body.js';
import { uuidPipe } from '../../common/http/validation.js';
import { Auth } from '../auth/auth.decorators.js';
import type { AuthContext } from '../auth/auth.types.js';
import { DevicesService } from '../auth/devices.service.js';
import { DeviceListing } from './device-listing.service.js';
import { DeviceDto, ListDevicesQuery, UpdateDeviceDto } from './dto/device.dto.js';

@ApiTags('devices')
@ApiBearerAuth()
@Controller('v1/devices')
export class DevicesController {
  constructor(
    private readonly listing: DeviceListing,
    private readonly devices: DevicesService,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'listDevices', summary: 'The devices signed in to this account.' })
  @ApiResponse({ status: 200, type: [DeviceDto] })
  list(@Auth() auth: AuthContext, @Query() q: ListDevicesQuery): Promise<DeviceDto[]> {
    return this.listing.list(auth, q.includeRevoked);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateDevice', summary: 'Rename a device or set its FCM token.' })
  @ApiResponse({ status: 200, type: DeviceDto })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'DEVICE_NOT_FOUND' })
  update(@Auth() auth: AuthContext, @Param('id', uuidPipe) id: string, @Body() dto: UpdateDeviceDto): Promise<DeviceDto> {
    return this.listing.update(auth, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeDevice', summary: 'Sign a device out; its tokens stop working at once.' })
  @ApiResponse({ status: 204 })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'DEVICE_NOT_FOUND' })
  revoke(@Auth() auth: AuthContext, @Param('id', uuidPipe) id: string): Promise<void> {
    return this.devices.revoke(auth, id);
  }
}
