import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiConflictResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError } from '../../common/errors/domain-error';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { PageQueryDto } from '../../common/pagination';
import { ApprovalDto } from '../approvals';
import { CustomerRemovalService } from './customer-removal.service';
import { DeletionRecordPageDto, DeletionRequestDto, MergePreviewDto, MergePreviewRequestDto, MergeRequestDto } from './dto/removal.dto';

@ApiTags('customers')
@Controller()
export class RemovalController {
  constructor(private readonly removal: CustomerRemovalService) {}

  @Post('customers/:id/deletion-requests')
  @HttpCode(202)
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'requestCustomerDeletion', summary: 'Ask for a customer to be deleted: the department manager, then an admin, decide' })
  @ApiAcceptedResponse({ type: ApprovalDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'REQUEST_PENDING: a pending deletion or merge names the customer; `approvalId` names it' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'NO_INDEPENDENT_APPROVER: no two different people other than the requester can decide the two steps' })
  requestCustomerDeletion(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: DeletionRequestDto): Promise<ApprovalDto> {
    return this.removal.requestDeletion(caller, id, dto.reason);
  }

  @Delete('customers/:id')
  @Roles('admin', 'manager', 'sales', 'service', 'marketing', 'auditor')
  @ApiOperation({ operationId: 'deleteCustomer', summary: 'Not allowed: customers are deleted through an approved request' })
  @ApiResponse({ status: 405, type: ProblemDto, description: 'DELETE_NEEDS_APPROVAL: use POST /api/v1/customers/{id}/deletion-requests' })
  deleteCustomer(@IdParam() id: string): never {
    throw new DomainError('DELETE_NEEDS_APPROVAL', `Deleting a customer needs a written request and two approvals: POST /api/v1/customers/${id}/deletion-requests`, {
      requestRoute: `/api/v1/customers/${id}/deletion-requests`,
      headers: { allow: 'GET, PATCH' },
    });
  }

  @Get('deletion-records')
  @Roles('admin', 'auditor')
  @ApiOperation({ operationId: 'listDeletionRecords', summary: 'What was deleted, when, on whose request and approvals, newest first' })
  @ApiOkResponse({ type: DeletionRecordPageDto })
  listDeletionRecords(@Query() page: PageQueryDto): Promise<DeletionRecordPageDto> {
    return this.removal.deletionRecords(page);
  }

  @Post('customers/merge-preview')
  @HttpCode(200)
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'previewCustomerMerge', summary: 'Show the record a merge of duplicates would produce, and what moves' })
  @ApiOkResponse({ type: MergePreviewDto })
  previewCustomerMerge(@CurrentUser() caller: AuthUser, @Body() dto: MergePreviewRequestDto): Promise<MergePreviewDto> {
    return this.removal.previewMerge(caller, dto);
  }

  @Post('customers/merge-requests')
  @HttpCode(202)
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'requestCustomerMerge', summary: 'Ask for duplicates to be merged; an admin decides' })
  @ApiAcceptedResponse({ type: ApprovalDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'REQUEST_PENDING: a pending deletion or merge names one of the customers; `approvalId` names it' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'NO_INDEPENDENT_APPROVER: no admin other than the requester can decide' })
  requestCustomerMerge(@CurrentUser() caller: AuthUser, @Body() dto: MergeRequestDto): Promise<ApprovalDto> {
    return this.removal.requestMerge(caller, dto);
  }
}
