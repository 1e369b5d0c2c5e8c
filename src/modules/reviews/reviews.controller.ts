import { Body, Controller, Get, HttpCode, Post, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
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
  @ApiOperation({ operationId: 'confirmCustomerReview', summary: 'The owner confirms the record is current: stamps reviewedAt, completes its open review tasks (audited)' })
  @ApiOkResponse({ type: ReviewConfirmationDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'VALIDATION_FAILED: confirmed must be true' })
  @ApiConflictResponse({ type: ProblemDto, description: 'CUSTOMER_ARCHIVED' })
  confirmCustomerReview(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ConfirmReviewDto): Promise<ReviewConfirmationDto> {
    return this.reviews.confirm(caller, id, dto);
  }
}
