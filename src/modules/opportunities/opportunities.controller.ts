import { Body, Controller, Get, Headers, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiPreconditionFailedResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { ApiOkArray } from '../../common/http/openapi-responses';
import { PageQueryDto } from '../../common/pagination';
import { etagOf } from '../customers/customer.rules';
import {
  CreateOpportunityDto,
  ListOpportunitiesQueryDto,
  OpportunityDetailDto,
  OpportunityDto,
  OpportunityHistoryPageDto,
  OpportunityPageDto,
  PipelineDto,
  PipelineQueryDto,
  ReplaceStagesDto,
  STAGES_MAX,
  StageOutDto,
  UpdateOpportunityDto,
} from './dto/opportunity.dto';
import { OpportunitiesService } from './opportunities.service';

/** The pipeline is commercial: not for service (no commercial record) nor marketing. */
const READERS = ['admin', 'manager', 'sales', 'auditor'] as const;
const WRITERS = ['admin', 'manager', 'sales'] as const;
const ETAG = { ETag: { description: 'The version, for If-Match', schema: { type: 'string', maxLength: 16, example: '"3"' } } };

@ApiTags('opportunities')
@Controller()
export class OpportunitiesController {
  constructor(private readonly opportunities: OpportunitiesService) {}

  @Get('opportunity-stages')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listOpportunityStages', summary: 'The sales stages, in order' })
  @ApiOkArray(StageOutDto, STAGES_MAX, `At most ${STAGES_MAX} stages`)
  listOpportunityStages(): Promise<StageOutDto[]> {
    return this.opportunities.stages();
  }

  @Put('opportunity-stages')
  @Roles('admin')
  @ApiOperation({ operationId: 'replaceOpportunityStages', summary: 'Replace the sales stages (ordered); a stage still in use cannot be left out (409 IN_USE)' })
  @ApiOkArray(StageOutDto, STAGES_MAX, `At most ${STAGES_MAX} stages`)
  replaceOpportunityStages(@Body() dto: ReplaceStagesDto): Promise<StageOutDto[]> {
    return this.opportunities.replaceStages(dto);
  }

  @Post('customers/:id/opportunities')
  @Roles(...WRITERS)
  @ApiOperation({ operationId: 'createOpportunity', summary: 'Record a sales opportunity of the customer' })
  @ApiCreatedResponse({ type: OpportunityDto })
  createOpportunity(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: CreateOpportunityDto): Promise<OpportunityDto> {
    return this.opportunities.create(caller, id, dto);
  }

  @Get('opportunities')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listOpportunities', summary: 'Opportunities you may see, newest first' })
  @ApiOkResponse({ type: OpportunityPageDto })
  listOpportunities(@CurrentUser() caller: AuthUser, @Query() query: ListOpportunitiesQueryDto): Promise<OpportunityPageDto> {
    return this.opportunities.list(caller, query);
  }

  @Get('opportunities/pipeline')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getOpportunityPipeline', summary: 'Per stage: count, total and weighted amount; won and lost in the period; conversion between stages' })
  @ApiOkResponse({ type: PipelineDto })
  getOpportunityPipeline(@CurrentUser() caller: AuthUser, @Query() query: PipelineQueryDto): Promise<PipelineDto> {
    return this.opportunities.pipeline(caller, query);
  }

  @Get('opportunities/:id')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getOpportunity', summary: 'One opportunity with its stage changes; sends an ETag' })
  @ApiOkResponse({ type: OpportunityDetailDto, headers: ETAG })
  async getOpportunity(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<OpportunityDetailDto> {
    const opportunity = await this.opportunities.get(caller, id);
    void reply.header('etag', etagOf(opportunity.version));
    return opportunity;
  }

  @Patch('opportunities/:id')
  @Roles(...WRITERS)
  @ApiOperation({ operationId: 'updateOpportunity', summary: 'Change an opportunity, its stage too; needs the version you read (If-Match or version)' })
  @ApiHeader({ name: 'If-Match', required: false, schema: { type: 'string', maxLength: 64 }, description: 'The ETag you read, e.g. "3"; or send version in the body' })
  @ApiOkResponse({ type: OpportunityDto, headers: ETAG })
  @ApiPreconditionFailedResponse({ type: ProblemDto, description: 'VERSION_CONFLICT: someone changed it since you read it' })
  @ApiResponse({ status: 428, type: ProblemDto, description: 'PRECONDITION_REQUIRED: no version given' })
  async updateOpportunity(
    @CurrentUser() caller: AuthUser,
    @IdParam() id: string,
    @Body() dto: UpdateOpportunityDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OpportunityDto> {
    const opportunity = await this.opportunities.update(caller, id, dto, ifMatch);
    void reply.header('etag', etagOf(opportunity.version));
    return opportunity;
  }

  @Get('opportunities/:id/history')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'getOpportunityHistory', summary: 'Every change of the opportunity, newest first (from the audit log)' })
  @ApiOkResponse({ type: OpportunityHistoryPageDto })
  getOpportunityHistory(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Query() page: PageQueryDto): Promise<OpportunityHistoryPageDto> {
    return this.opportunities.history(caller, id, page);
  }
}
