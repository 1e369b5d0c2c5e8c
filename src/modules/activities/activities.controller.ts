import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole, CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { IdParam } from '../../common/http/id-param';
import { PageQueryDto } from '../../common/pagination';
import { ActivitiesService } from './activities.service';
import { ActivityDto, ActivityOutcomeDto, ActivityPageDto, CreateActivityDto, CreatedActivityDto, ListActivitiesQueryDto } from './dto/activity.dto';

const CREATORS = ['admin', 'manager', 'sales', 'marketing'] as const;

@ApiTags('activities')
@Controller()
export class ActivitiesController {
  constructor(private readonly activities: ActivitiesService) {}

  @Post('activities')
  @Roles(...CREATORS)
  @ApiOperation({ operationId: 'createActivity', summary: 'Record a marketing event, promotion or visit plan for customers (a visit booked < 3 days ahead carries a warning)' })
  @ApiCreatedResponse({ type: CreatedActivityDto })
  createActivity(@CurrentUser() caller: AuthUser, @Body() dto: CreateActivityDto): Promise<CreatedActivityDto> {
    return this.activities.create(caller, dto);
  }

  @Get('activities')
  @AnyRole()
  @ApiOperation({ operationId: 'listActivities', summary: 'Activities you may see, latest start first' })
  @ApiOkResponse({ type: ActivityPageDto })
  listActivities(@CurrentUser() caller: AuthUser, @Query() query: ListActivitiesQueryDto): Promise<ActivityPageDto> {
    return this.activities.list(caller, query);
  }

  @Get('activities/:id')
  @AnyRole()
  @ApiOperation({ operationId: 'getActivity', summary: 'One activity; its customers you cannot see are left out' })
  @ApiOkResponse({ type: ActivityDto })
  getActivity(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ActivityDto> {
    return this.activities.get(caller, id);
  }

  @Post('activities/:id/outcome')
  @Roles('admin', 'manager', 'sales', 'marketing')
  @ApiOperation({ operationId: 'recordActivityOutcome', summary: 'How it went, with an evaluation (owner, department manager or admin)' })
  @ApiCreatedResponse({ type: ActivityDto })
  recordActivityOutcome(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ActivityOutcomeDto): Promise<ActivityDto> {
    return this.activities.recordOutcome(caller, id, dto);
  }

  @Get('customers/:id/activities')
  @AnyRole()
  @ApiOperation({ operationId: 'listCustomerActivities', summary: 'Activities for one customer, latest start first' })
  @ApiOkResponse({ type: ActivityPageDto })
  listCustomerActivities(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Query() page: PageQueryDto): Promise<ActivityPageDto> {
    return this.activities.listForCustomer(caller, id, page);
  }
}
