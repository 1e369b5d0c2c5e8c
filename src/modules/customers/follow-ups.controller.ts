import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { CustomersService } from './customers.service';
import { DueFollowUpPageDto, DueFollowUpsQueryDto } from './dto/customer.dto';

@ApiTags('customers')
@Controller('follow-ups')
export class FollowUpsController {
  constructor(private readonly customers: CustomersService) {}

  @Get('due')
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'listDueFollowUps', summary: 'Customers due or overdue for contact under their tier\'s cadence, most overdue first' })
  @ApiOkResponse({ type: DueFollowUpPageDto })
  listDueFollowUps(@CurrentUser() caller: AuthUser, @Query() query: DueFollowUpsQueryDto): Promise<DueFollowUpPageDto> {
    return this.customers.dueFollowUps(caller, query);
  }
}
