import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { SUPERVISION_ROLES } from '../access';
import { DataQualityService } from './data-quality.service';
import { DataQualitySummaryDto, DataQualitySummaryQueryDto, FailingCustomerPageDto, ListDataQualityQueryDto, RecomputeDataQualityDto, RecomputeResultDto } from './dto/data-quality.dto';

@ApiTags('data-quality')
@Controller('data-quality')
export class DataQualityController {
  constructor(private readonly dataQuality: DataQualityService) {}

  @Get()
  @Roles(...SUPERVISION_ROLES)
  @ApiOperation({
    operationId: 'listDataQuality',
    summary: 'Active customers failing a data-quality rule, with the rules each fails, in your scope (sales: your own; manager: your department; admin, auditor: all)',
    description: 'Results are kept by a job that runs every minute once across instances: a change shows within about two minutes (checkedAt says when).',
  })
  @ApiOkResponse({ type: FailingCustomerPageDto })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'NOT_FOUND: departmentId or ownerId is outside your scope' })
  listDataQuality(@CurrentUser() caller: AuthUser, @Query() query: ListDataQualityQueryDto): Promise<FailingCustomerPageDto> {
    return this.dataQuality.list(caller, query);
  }

  @Get('summary')
  @Roles(...SUPERVISION_ROLES)
  @ApiOperation({ operationId: 'getDataQualitySummary', summary: 'Customers failing each rule, per owner, and the completeness percentage per department, in your scope' })
  @ApiOkResponse({ type: DataQualitySummaryDto })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'NOT_FOUND: departmentId is outside your scope' })
  getDataQualitySummary(@CurrentUser() caller: AuthUser, @Query() query: DataQualitySummaryQueryDto): Promise<DataQualitySummaryDto> {
    return this.dataQuality.summary(caller, query);
  }

  @Post('recompute')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'recomputeDataQuality', summary: 'Run the data-quality job now (it also runs every minute): changed customers, or all with full' })
  @ApiOkResponse({ type: RecomputeResultDto })
  recomputeDataQuality(@Body() dto: RecomputeDataQualityDto): Promise<RecomputeResultDto> {
    return this.dataQuality.recompute(dto.full);
  }
}
