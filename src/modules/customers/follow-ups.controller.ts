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
  @ApiOperation({
    operationId: 'listDueFollowUps',
    summary: 'Your due list: customers due or overdue for contact under their tier\'s cadence, and open review tasks due by then (kind), most overdue first',
    description:
      'One keyset-paginated list over both kinds, ordered by dueAt, then kind (follow_up before review), customer and round. Scoped as customers are: scope=mine your own customers, department your department\'s, all whatever your role sees. status=dormant lists the archive\'s re-activation follow-ups only (the archive is not reviewed).',
  })
  @ApiOkResponse({ type: DueFollowUpPageDto })
  listDueFollowUps(@CurrentUser() caller: AuthUser, @Query() query: DueFollowUpsQueryDto): Promise<DueFollowUpPageDto> {
    return this.customers.dueFollowUps(caller, query);
  }
}
