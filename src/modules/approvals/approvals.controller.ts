import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole, CurrentUser } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { ApprovalsService } from './approvals.service';
import { ApprovalDto, ApprovalPageDto, DecisionDto, ListApprovalsQueryDto } from './dto/approval.dto';

@ApiTags('approvals')
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get()
  @AnyRole()
  @ApiOperation({ operationId: 'listApprovals', summary: 'Your requests, or the ones waiting for your decision' })
  @ApiOkResponse({ type: ApprovalPageDto })
  listApprovals(@CurrentUser() caller: AuthUser, @Query() query: ListApprovalsQueryDto): Promise<ApprovalPageDto> {
    return this.approvals.list(caller, query);
  }

  @Get(':id')
  @AnyRole()
  @ApiOperation({ operationId: 'getApproval', summary: 'One approval with every decision' })
  @ApiOkResponse({ type: ApprovalDto })
  getApproval(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ApprovalDto> {
    return this.approvals.get(caller, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @AnyRole()
  @ApiOperation({ operationId: 'approveApproval', summary: 'Approve the current step; the final approval executes the request' })
  @ApiOkResponse({ type: ApprovalDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'APPROVAL_DECIDED' })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'SELF_APPROVAL, NOT_YOUR_STEP, or SAME_APPROVER (you decided another step of this request)' })
  approveApproval(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: DecisionDto): Promise<ApprovalDto> {
    return this.approvals.approve(caller, id, dto.comment);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @AnyRole()
  @ApiOperation({ operationId: 'rejectApproval', summary: 'Reject the request at the current step' })
  @ApiOkResponse({ type: ApprovalDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'APPROVAL_DECIDED' })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'SELF_APPROVAL, NOT_YOUR_STEP, or SAME_APPROVER (you decided another step of this request)' })
  rejectApproval(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: DecisionDto): Promise<ApprovalDto> {
    return this.approvals.reject(caller, id, dto.comment);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @AnyRole()
  @ApiOperation({ operationId: 'cancelApproval', summary: 'Withdraw your pending request' })
  @ApiOkResponse({ type: ApprovalDto })
  cancelApproval(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ApprovalDto> {
    return this.approvals.cancel(caller, id);
  }
}
