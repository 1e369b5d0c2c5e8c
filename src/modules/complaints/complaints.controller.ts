import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { ComplaintsService } from './complaints.service';
import {
  AssignComplaintDto,
  ComplaintDetailDto,
  ComplaintDto,
  ComplaintMetricsDto,
  ComplaintPageDto,
  ComplaintReasonDto,
  CreateComplaintDto,
  EscalationContactsDto,
  ListComplaintsQueryDto,
  MetricsQueryDto,
  NotifyCustomerDto,
  ReportUpwardDto,
  ResolveComplaintDto,
  SlaPolicyDto,
  SweepResultDto,
  VerifyComplaintDto,
} from './dto/complaint.dto';
import { Idempotent } from '../idempotency';

const READERS = ['admin', 'manager', 'sales', 'service', 'auditor'] as const;
const ACTORS = ['admin', 'manager', 'sales', 'service'] as const;
const INVALID = { type: ProblemDto, description: 'INVALID_TRANSITION: the flow does not allow this step now' };

@ApiTags('complaints')
@Controller('complaints')
export class ComplaintsController {
  constructor(private readonly complaints: ComplaintsService) {}

  @Post()
  @Idempotent()
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'createComplaint', summary: 'Record a complaint; its deadline is computed in working days' })
  @ApiCreatedResponse({ type: ComplaintDto })
  createComplaint(@CurrentUser() caller: AuthUser, @Body() dto: CreateComplaintDto): Promise<ComplaintDto> {
    return this.complaints.create(caller, dto);
  }

  @Get()
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listComplaints', summary: 'Complaints of the customers you may see, newest first' })
  @ApiOkResponse({ type: ComplaintPageDto })
  listComplaints(@CurrentUser() caller: AuthUser, @Query() query: ListComplaintsQueryDto): Promise<ComplaintPageDto> {
    return this.complaints.list(caller, query);
  }

  @Get('sla-policy')
  @Roles('admin')
  @ApiOperation({ operationId: 'getComplaintSlaPolicy', summary: 'Deadlines and escalation by severity' })
  @ApiOkResponse({ type: SlaPolicyDto })
  getComplaintSlaPolicy(): Promise<SlaPolicyDto> {
    return this.complaints.policy();
  }

  @Put('sla-policy')
  @Roles('admin')
  @ApiOperation({ operationId: 'setComplaintSlaPolicy', summary: 'Change the policy (open complaints keep their deadlines)' })
  @ApiOkResponse({ type: SlaPolicyDto })
  setComplaintSlaPolicy(@Body() dto: SlaPolicyDto): Promise<SlaPolicyDto> {
    return this.complaints.setPolicy(dto);
  }

  @Get('escalation-contacts')
  @Roles('admin')
  @ApiOperation({ operationId: 'getComplaintEscalationContacts', summary: 'Who a major complaint is reported to at once (empty: every active admin)' })
  @ApiOkResponse({ type: EscalationContactsDto })
  getComplaintEscalationContacts(): Promise<EscalationContactsDto> {
    return this.complaints.escalationContacts();
  }

  @Put('escalation-contacts')
  @Roles('admin')
  @ApiOperation({ operationId: 'setComplaintEscalationContacts', summary: 'Replace the escalation list (active admins and managers)' })
  @ApiOkResponse({ type: EscalationContactsDto })
  setComplaintEscalationContacts(@CurrentUser() caller: AuthUser, @Body() dto: EscalationContactsDto): Promise<EscalationContactsDto> {
    return this.complaints.setEscalationContacts(caller, dto);
  }

  @Get('metrics')
  @Roles('admin', 'manager', 'service', 'auditor')
  @ApiOperation({ operationId: 'getComplaintMetrics', summary: 'On-time rate, time to resolve, follow-up timeliness, satisfaction, counts' })
  @ApiOkResponse({ type: ComplaintMetricsDto })
  getComplaintMetrics(@CurrentUser() caller: AuthUser, @Query() query: MetricsQueryDto): Promise<ComplaintMetricsDto> {
    return this.complaints.metrics(caller, query);
  }

  @Post('escalation-sweep')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'sweepComplaintEscalations', summary: 'Run the escalation sweep now (it also runs every minute)' })
  @ApiOkResponse({ type: SweepResultDto })
  sweepComplaintEscalations(): Promise<SweepResultDto> {
    return this.complaints.sweep();
  }

  @Get(':id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getComplaint', summary: 'One complaint with its timeline' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  getComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ComplaintDetailDto> {
    return this.complaints.get(caller, id);
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'assignComplaint', summary: 'Assign (or reassign) the complaint' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  @ApiConflictResponse(INVALID)
  assignComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: AssignComplaintDto): Promise<ComplaintDetailDto> {
    return this.complaints.act(caller, id, 'assign', dto);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'startComplaint', summary: 'Start working on it' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  @ApiConflictResponse(INVALID)
  startComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ComplaintDetailDto> {
    return this.complaints.act(caller, id, 'start', {});
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'resolveComplaint', summary: 'Record the resolution; the satisfaction follow-up falls due' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  @ApiConflictResponse(INVALID)
  resolveComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ResolveComplaintDto): Promise<ComplaintDetailDto> {
    return this.complaints.act(caller, id, 'resolve', dto);
  }

  @Post(':id/verify')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'verifyComplaint', summary: 'Record the follow-up call (回访) and the satisfaction score' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  @ApiConflictResponse(INVALID)
  verifyComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: VerifyComplaintDto): Promise<ComplaintDetailDto> {
    return this.complaints.act(caller, id, 'verify', dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'closeComplaint', summary: 'Close a verified complaint' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  @ApiConflictResponse(INVALID)
  closeComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ComplaintDetailDto> {
    return this.complaints.act(caller, id, 'close', {});
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'reopenComplaint', summary: 'Reopen a resolved, verified or closed complaint, with a reason' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  @ApiConflictResponse(INVALID)
  reopenComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ComplaintReasonDto): Promise<ComplaintDetailDto> {
    return this.complaints.act(caller, id, 'reopen', dto);
  }

  @Post(':id/notify-customer')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'notifyComplaintCustomer', summary: 'Record that the customer was told of progress or result' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  @ApiConflictResponse(INVALID)
  notifyComplaintCustomer(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: NotifyCustomerDto): Promise<ComplaintDetailDto> {
    return this.complaints.act(caller, id, 'notify', dto);
  }

  @Post(':id/escalate')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'escalateComplaint', summary: 'Escalate an open complaint to the department manager, with a reason' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  @ApiConflictResponse(INVALID)
  escalateComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ComplaintReasonDto): Promise<ComplaintDetailDto> {
    return this.complaints.act(caller, id, 'escalate', dto);
  }

  @Post(':id/report-upward')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'reportComplaintUpward', summary: 'Report the complaint to management as a common issue under a topic, or withdraw it (admins, managers, the assignee)' })
  @ApiOkResponse({ type: ComplaintDetailDto })
  reportComplaintUpward(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ReportUpwardDto): Promise<ComplaintDetailDto> {
    return this.complaints.reportUpward(caller, id, dto);
  }
}
