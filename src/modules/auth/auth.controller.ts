import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { AnyRole, CurrentUser, Public } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { AuthService } from './auth.service';
import { LoginDto, LoginResponseDto, MeDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ operationId: 'login', summary: 'Exchange username and password for a bearer token' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiTooManyRequestsResponse({
    type: ProblemDto,
    description:
      'RATE_LIMITED: too many failed logins for this username from this address, or from this address altogether, in the sliding window (LOGIN_LOCK_SECONDS); or over the per-address request limit. See Retry-After',
  })
  login(@Body() dto: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(dto);
  }

  @Get('me')
  @AnyRole()
  @ApiOperation({ operationId: 'getCurrentUser', summary: 'Who the bearer token belongs to' })
  @ApiOkResponse({ type: MeDto })
  getCurrentUser(@CurrentUser() caller: AuthUser): Promise<MeDto> {
    return this.auth.me(caller);
  }
}
