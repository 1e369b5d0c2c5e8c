import { Body, Controller, Get, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole, Roles } from '../../common/auth/decorators';
import { IdParam } from '../../common/http/id-param';
import { DepartmentsService } from './departments.service';
import { CreateDepartmentDto, DepartmentDto, UpdateDepartmentDto } from './dto/department.dto';
import { ApiOkArray } from '../../common/http/openapi-responses';
import { LIMITS } from '../../common/limits';
import { Idempotent } from '../idempotency';

@ApiTags('departments')
@Controller('departments')
export class DepartmentsController {
  constructor(private readonly departments: DepartmentsService) {}

  @Post()
  @Idempotent()
  @Roles('admin')
  @ApiOperation({ operationId: 'createDepartment', summary: 'Create a department' })
  @ApiCreatedResponse({ type: DepartmentDto })
  createDepartment(@Body() dto: CreateDepartmentDto): Promise<DepartmentDto> {
    return this.departments.create(dto);
  }

  @Get()
  @AnyRole()
  @ApiOperation({ operationId: 'listDepartments', summary: 'List all departments' })
  @ApiOkArray(DepartmentDto, LIMITS.departments, `Every department (at most ${LIMITS.departments}: creating more is 422 LIMIT_REACHED)`)
  listDepartments(): Promise<DepartmentDto[]> {
    return this.departments.list();
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({ operationId: 'getDepartment', summary: 'Get one department' })
  @ApiOkResponse({ type: DepartmentDto })
  getDepartment(@IdParam() id: string): Promise<DepartmentDto> {
    return this.departments.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateDepartment', summary: 'Rename a department' })
  @ApiOkResponse({ type: DepartmentDto })
  updateDepartment(@IdParam() id: string, @Body() dto: UpdateDepartmentDto): Promise<DepartmentDto> {
    return this.departments.update(id, dto);
  }
}
