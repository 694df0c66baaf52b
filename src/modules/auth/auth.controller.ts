import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ErrorBody } from '../../common/http/error-body.js';
import { Auth, Public } from './auth.decorators.js';
import { AuthService } from './auth.service.js';
import type { AuthContext } from './auth.types.js';
import { LoginDto, RefreshDto, RefreshResultDto, RegisterDto, SessionDto, UserDto } from './dto/auth.dto.js';
import { MeService } from './me.service.js';

@ApiTags('auth')
@Controller('v1')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly me: MeService,
  ) {}

  @Post('auth/register')
  @Public()
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ operationId: 'register', summary: 'Create an account and sign this device in.' })
  @ApiResponse({ status: 201, type: SessionDto })
  @ApiResponse({ status: 409, type: ErrorBody, description: 'EMAIL_TAKEN' })
  @ApiResponse({ status: 429, type: ErrorBody, description: 'RATE_LIMITED' })
  async register(@Body() dto: RegisterDto): Promise<SessionDto> {
    return this.me.session(await this.auth.register(dto));
  }

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ operationId: 'login', summary: 'Sign a device in with email and password; each login is a new device.' })
  @ApiResponse({ status: 200, type: SessionDto })
  @ApiResponse({ status: 401, type: ErrorBody, description: 'INVALID_CREDENTIALS' })
  @ApiResponse({ status: 429, type: ErrorBody, description: 'RATE_LIMITED' })
  async login(@Body() dto: LoginDto): Promise<SessionDto> {
    return this.me.session(await this.auth.login(dto));
  }

  @Post('auth/refresh')
  @Public()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @ApiOperation({
    operationId: 'refresh',
    summary: 'Exchange a refresh token for a new pair (rotation). Replaying a used token signs the device out.',
  })
  @ApiResponse({ status: 200, type: RefreshResultDto })
  @ApiResponse({ status: 401, type: ErrorBody, description: 'REFRESH_TOKEN_INVALID, _EXPIRED, _REUSED, DEVICE_REVOKED' })
  async refresh(@Body() dto: RefreshDto): Promise<RefreshResultDto> {
    const r = await this.auth.refresh(dto.refreshToken);
    return { deviceId: r.deviceId, tokens: { tokenType: 'Bearer', ...r.tokens } };
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'logout', summary: 'Sign this device out: its access and refresh tokens stop working.' })
  @ApiResponse({ status: 204 })
  logout(@Auth() auth: AuthContext): Promise<void> {
    return this.auth.logout(auth);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ operationId: 'getMe', summary: 'The signed-in account.' })
  @ApiResponse({ status: 200, type: UserDto })
  getMe(@Auth() auth: AuthContext): Promise<UserDto> {
    return this.me.get(auth);
  }
}
