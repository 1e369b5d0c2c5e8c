import { Body, Controller, Get, Headers, HttpCode, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPreconditionFailedResponse,
  ApiResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { SUPERVISION_ROLES } from '../access';
import {
  ConfirmReviewDto,
  CreateReviewRoundDto,
  DueReviewTaskPageDto,
  DueReviewTasksQueryDto,
  PutReviewScheduleDto,
  ReviewConfirmationDto,
  ReviewProgressDto,
  ReviewRoundDto,
  ReviewScheduleDto,
} from './dto/review.dto';
import { ReviewsService } from './reviews.service';

@ApiTags('reviews')
@Controller('reviews')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Post()
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'createReviewRound', summary: 'Open a review round: one task per active customer in scope, for its owner (audited)' })
  @ApiCreatedResponse({ type: ReviewRoundDto })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'NOT_FOUND: departmentId is not yours (managers) or does not exist' })
  createReviewRound(@CurrentUser() caller: AuthUser, @Body() dto: CreateReviewRoundDto): Promise<ReviewRoundDto> {
    return this.reviews.createRound(caller, dto);
  }

  @Get('due')
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'listDueReviewTasks', summary: 'Open review tasks, overdue first (your own, or your department\'s with scope=department), beside GET /follow-ups/due' })
  @ApiOkResponse({ type: DueReviewTaskPageDto })
  listDueReviewTasks(@CurrentUser() caller: AuthUser, @Query() query: DueReviewTasksQueryDto): Promise<DueReviewTaskPageDto> {
    return this.reviews.dueTasks(caller, query);
  }

  @Get(':id')
  @Roles(...SUPERVISION_ROLES)
  @ApiOperation({ operationId: 'getReviewRound', summary: 'A round\'s progress: done, overdue and open per owner, within what you see (404 for a round of another department)' })
  @ApiOkResponse({ type: ReviewProgressDto })
  getReviewRound(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ReviewProgressDto> {
    return this.reviews.progress(caller, id);
  }

  @Put('schedules/:departmentId')
  @Roles('admin', 'manager')
  @ApiParam({ name: 'departmentId', schema: { type: 'string', format: 'uuid', maxLength: 36 } })
  @ApiOperation({ operationId: 'putReviewSchedule', summary: 'A department\'s standing round (weekly, monthly, quarterly), opened by a job once across instances (audited)' })
  @ApiOkResponse({ type: ReviewScheduleDto })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'NOT_FOUND: not your department (managers), or no such department' })
  putReviewSchedule(@CurrentUser() caller: AuthUser, @IdParam('departmentId') departmentId: string, @Body() dto: PutReviewScheduleDto): Promise<ReviewScheduleDto> {
    return this.reviews.setSchedule(caller, departmentId, dto);
  }
}

@ApiTags('reviews')
@Controller('customers')
export class CustomerReviewController {
  constructor(private readonly reviews: ReviewsService) {}

  @Post(':id/review')
  @HttpCode(200)
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({
    operationId: 'confirmCustomerReview',
    summary: 'The owner confirms the record is current, or edits it (changes): stamps reviewedAt, completes its open review tasks (audited)',
    description:
      'With `changes`, the edit is PATCH /customers/{id}\'s: the same fields, validation, version rule (If-Match or changes.version, 428 without, 412 when stale), duplicate and reason checks, and its own audit entry, applied in the same transaction as the review stamp; the customer gets one new version. Without, the confirmation itself is a new version.',
  })
  @ApiHeader({ name: 'If-Match', required: false, schema: { type: 'string', maxLength: 64 }, description: 'The ETag you read, e.g. "3" (with changes, or send changes.version). Without changes it is optional, and held to when sent' })
  @ApiOkResponse({ type: ReviewConfirmationDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'VALIDATION_FAILED: confirmed must be true, or a change is invalid' })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'FORBIDDEN: you see the customer but do not own it' })
  @ApiConflictResponse({ type: ProblemDto, description: 'CUSTOMER_ARCHIVED, or CUSTOMER_DUPLICATE for a change' })
  @ApiPreconditionFailedResponse({ type: ProblemDto, description: 'VERSION_CONFLICT: someone changed it since you read it (If-Match or changes.version)' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'REASON_REQUIRED or OWNER_CHANGE_NEEDS_TRANSFER for a change' })
  @ApiResponse({ status: 428, type: ProblemDto, description: 'PRECONDITION_REQUIRED: changes without a version' })
  confirmCustomerReview(
    @CurrentUser() caller: AuthUser,
    @IdParam() id: string,
    @Body() dto: ConfirmReviewDto,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<ReviewConfirmationDto> {
    return this.reviews.confirm(caller, id, dto, ifMatch);
  }
}
