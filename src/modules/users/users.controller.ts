import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { IdParam } from '../../common/http/id-param';
import { CreateUserDto, ListUsersQueryDto, UpdateUserDto, UserDto, UserPageDto } from './dto/user.dto';
import { UsersService } from './users.service';
import { Idempotent } from '../idempotency';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiOperation({ operationId: 'createUser', summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserDto })
  createUser(@Body() dto: CreateUserDto): Promise<UserDto> {
    return this.users.create(dto);
  }

  @Get()
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'listUsers', summary: 'List users (a manager sees their department)' })
  @ApiOkResponse({ type: UserPageDto })
  listUsers(@CurrentUser() caller: AuthUser, @Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    return this.users.list(caller, query);
  }

  @Get(':id')
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'getUser', summary: 'Get one user' })
  @ApiOkResponse({ type: UserDto })
  getUser(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<UserDto> {
    return this.users.get(caller, id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateUser', summary: 'Change a user\'s name, role, department or password' })
  @ApiOkResponse({ type: UserDto })
  updateUser(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return this.users.update(caller, id, dto);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'deactivateUser', summary: 'Deactivate a user: their tokens stop working at once' })
  @ApiOkResponse({ type: UserDto })
  deactivateUser(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<UserDto> {
    return this.users.deactivate(caller, id);
  }

  @Post(':id/activate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'activateUser', summary: 'Reactivate a deactivated user' })
  @ApiOkResponse({ type: UserDto })
  activateUser(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<UserDto> {
    return this.users.activate(caller, id);
  }
}
