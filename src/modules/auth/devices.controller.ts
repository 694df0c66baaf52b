import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorBody } from '../../common/http/error-body.js';
import { Auth } from './auth.decorators.js';
import type { AuthContext } from './auth.types.js';
import { DevicesService } from './devices.service.js';
import { DeviceDto } from './dto/auth.dto.js';
import { ListDevicesQuery, UpdateDeviceDto } from './dto/device.dto.js';
import { uuidPipe } from '../../common/http/validation.js';

@ApiTags('devices')
@ApiBearerAuth()
@Controller('v1/devices')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get()
  @ApiOperation({ operationId: 'listDevices', summary: 'The devices signed in to this account.' })
  @ApiResponse({ status: 200, type: [DeviceDto] })
  list(@Auth() auth: AuthContext, @Query() q: ListDevicesQuery): Promise<DeviceDto[]> {
    return this.devices.list(auth, q.includeRevoked);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateDevice', summary: 'Rename a device or set its FCM token.' })
  @ApiResponse({ status: 200, type: DeviceDto })
  @ApiResponse({ status: 404, type: ErrorBody, description: 'DEVICE_NOT_FOUND' })
  update(@Auth() auth: AuthContext, @Param('id', uuidPipe) id: string, @Body() dto: UpdateDeviceDto): Promise<DeviceDto> {
    return this.devices.update(auth, id, dto);
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
