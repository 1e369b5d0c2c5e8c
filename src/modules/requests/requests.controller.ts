import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { Idempotent, IDEMPOTENT_REPLAY_HEADERS } from '../idempotency';
import { RequestsService } from './requests.service';
import {
  AcknowledgeRequestDto,
  AnswerRequestDto,
  AssignRequestDto,
  CloseRequestDto,
  CreateRequestDto,
  DispatchRulesDto,
  EscalateRequestDto,
  ListRequestsQueryDto,
  ProgressRequestDto,
  RecordRequestDto,
  ReopenRequestDto,
  RequestDetailDto,
  RequestDto,
  RequestMetricsDto,
  RequestMetricsQueryDto,
  RequestPageDto,
  RequestSweepResultDto,
  RequestTopicsDto,
  RequestTopicsQueryDto,
} from './dto/request.dto';
import { ComplaintDto, ReportUpwardDto } from '../complaints';

const READERS = ['admin', 'manager', 'sales', 'service', 'auditor'] as const;
const ACTORS = ['admin', 'manager', 'sales', 'service'] as const;
const INVALID = { type: ProblemDto, description: 'INVALID_TRANSITION: the flow does not allow this step now' };

@ApiTags('requests')
@Controller()
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  @Post('customers/:id/requests')
  @Roles(...ACTORS)
  @Idempotent()
  @ApiOperation({ operationId: 'recordCustomerRequest', summary: 'Record an enquiry, need, suggestion or problem of the customer; dispatched, with its response clocks' })
  @ApiCreatedResponse({ type: RequestDto, headers: IDEMPOTENT_REPLAY_HEADERS })
  recordCustomerRequest(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: RecordRequestDto): Promise<RequestDto> {
    return this.requests.create(caller, id, dto);
  }

  @Post('requests')
  @Roles(...ACTORS)
  @Idempotent()
  @ApiOperation({ operationId: 'createRequest', summary: 'Record a customer request naming the customer in the body (for integrators: WeCom, web chat, call centre)' })
  @ApiCreatedResponse({ type: RequestDto, headers: IDEMPOTENT_REPLAY_HEADERS })
  createRequest(@CurrentUser() caller: AuthUser, @Body() dto: CreateRequestDto): Promise<RequestDto> {
    return this.requests.createFor(caller, dto);
  }

  @Get('requests')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listRequests', summary: 'Requests you may see, most urgent first (the next running clock\'s due time)' })
  @ApiOkResponse({ type: RequestPageDto })
  listRequests(@CurrentUser() caller: AuthUser, @Query() query: ListRequestsQueryDto): Promise<RequestPageDto> {
    return this.requests.list(caller, query);
  }

  @Get('requests/dispatch-rules')
  @Roles('admin')
  @ApiOperation({ operationId: 'getRequestDispatchRules', summary: 'Where a new request goes, by kind' })
  @ApiOkResponse({ type: DispatchRulesDto })
  getRequestDispatchRules(): Promise<DispatchRulesDto> {
    return this.requests.dispatchRules();
  }

  @Put('requests/dispatch-rules')
  @Roles('admin')
  @ApiOperation({ operationId: 'setRequestDispatchRules', summary: 'Replace the dispatch rules (one per kind)' })
  @ApiOkResponse({ type: DispatchRulesDto })
  setRequestDispatchRules(@Body() dto: DispatchRulesDto): Promise<DispatchRulesDto> {
    return this.requests.setDispatchRules(dto);
  }

  @Get('requests/metrics')
  @Roles('admin', 'manager', 'service', 'auditor')
  @ApiOperation({ operationId: 'getRequestMetrics', summary: 'Counts by kind and channel, first-response p50/p90 in working minutes, share met per clock, breaches, satisfaction' })
  @ApiOkResponse({ type: RequestMetricsDto })
  getRequestMetrics(@CurrentUser() caller: AuthUser, @Query() query: RequestMetricsQueryDto): Promise<RequestMetricsDto> {
    return this.requests.metrics(caller, query);
  }

  @Get('requests/topics')
  @Roles('admin', 'manager', 'auditor')
  @ApiOperation({ operationId: 'getRequestTopics', summary: 'Common issues: requests and complaints reported upward, grouped by topic, and the most frequent complaint categories and request kinds of the period' })
  @ApiOkResponse({ type: RequestTopicsDto })
  getRequestTopics(@CurrentUser() caller: AuthUser, @Query() query: RequestTopicsQueryDto): Promise<RequestTopicsDto> {
    return this.requests.topics(caller, query);
  }

  @Post('requests/sweep')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'sweepRequestClocks', summary: 'Run the response-clock sweep now (it also runs every minute)' })
  @ApiOkResponse({ type: RequestSweepResultDto })
  sweepRequestClocks(): Promise<RequestSweepResultDto> {
    return this.requests.sweep();
  }

  @Get('requests/:id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getRequest', summary: 'One request with its clocks and timeline' })
  @ApiOkResponse({ type: RequestDetailDto })
  getRequest(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<RequestDetailDto> {
    return this.requests.get(caller, id);
  }

  @Post('requests/:id/assign')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'assignRequest', summary: 'Dispatch again, to a person or a department queue (the history keeps each dispatch)' })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiConflictResponse(INVALID)
  assignRequest(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: AssignRequestDto): Promise<RequestDetailDto> {
    return this.requests.act(caller, id, 'assign', dto);
  }

  @Post('requests/:id/acknowledge')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'acknowledgeRequest', summary: 'Record the first response (and when the customer may expect the answer)' })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiConflictResponse(INVALID)
  acknowledgeRequest(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: AcknowledgeRequestDto): Promise<RequestDetailDto> {
    return this.requests.act(caller, id, 'acknowledge', dto);
  }

  @Post('requests/:id/start')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'startRequest', summary: 'Start working on an acknowledged request' })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiConflictResponse(INVALID)
  startRequest(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<RequestDetailDto> {
    return this.requests.act(caller, id, 'start', {});
  }

  @Post('requests/:id/progress')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'reportRequestProgress', summary: 'Record a progress report (complex problems: due every 24 hours)' })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiConflictResponse(INVALID)
  reportRequestProgress(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ProgressRequestDto): Promise<RequestDetailDto> {
    return this.requests.act(caller, id, 'progress', dto);
  }

  @Post('requests/:id/answer')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'answerRequest', summary: 'Record the result; for a problem the satisfaction call falls due (48 hours)' })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiConflictResponse(INVALID)
  answerRequest(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: AnswerRequestDto): Promise<RequestDetailDto> {
    return this.requests.act(caller, id, 'answer', dto);
  }

  @Post('requests/:id/close')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'closeRequest', summary: 'Close an answered request (a problem with the satisfaction score of the call)' })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiConflictResponse(INVALID)
  closeRequest(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: CloseRequestDto): Promise<RequestDetailDto> {
    return this.requests.act(caller, id, 'close', dto);
  }

  @Post('requests/:id/reopen')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'reopenRequest', summary: 'Reopen an answered or closed request, with a reason' })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiConflictResponse(INVALID)
  reopenRequest(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ReopenRequestDto): Promise<RequestDetailDto> {
    return this.requests.act(caller, id, 'reopen', dto);
  }

  @Post('requests/:id/escalate-to-complaint')
  @Roles(...ACTORS)
  @Idempotent()
  @ApiOperation({ operationId: 'escalateRequestToComplaint', summary: 'Turn the request into a complaint (its rules, deadline and audit apply), linked both ways; once' })
  @ApiCreatedResponse({ type: ComplaintDto, headers: IDEMPOTENT_REPLAY_HEADERS })
  @ApiConflictResponse({ type: ProblemDto, description: 'REQUEST_ALREADY_ESCALATED: it was escalated before (the problem names complaintId); INVALID_TRANSITION: the request is closed' })
  escalateRequestToComplaint(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: EscalateRequestDto): Promise<ComplaintDto> {
    return this.requests.escalateToComplaint(caller, id, dto);
  }

  @Post('requests/:id/report-upward')
  @HttpCode(200)
  @Roles(...ACTORS)
  @ApiOperation({ operationId: 'reportRequestUpward', summary: 'Report the request to management as a common issue under a topic, or withdraw it (admins, managers, the assignee)' })
  @ApiOkResponse({ type: RequestDetailDto })
  reportRequestUpward(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ReportUpwardDto): Promise<RequestDetailDto> {
    return this.requests.reportUpward(caller, id, dto);
  }
}
