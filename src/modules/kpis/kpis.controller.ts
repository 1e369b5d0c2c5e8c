import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { SUPERVISION_ROLES } from '../access';
import { KpiExportQueryDto, KpiQueryDto, KpiReportDto } from './dto/kpi.dto';
import { KpisService } from './kpis.service';

@ApiTags('kpis')
@Controller('kpis')
export class KpisController {
  constructor(private readonly kpis: KpisService) {}

  @Get()
  @Roles(...SUPERVISION_ROLES)
  @ApiOperation({
    operationId: 'getKpis',
    summary: 'KPIs for a period per owner or department, over your scope (sales: your own; manager: your department; admin, auditor: all)',
    description: 'Each figure\'s definition is its schema description (KpiRowDto); the README lists them too.',
  })
  @ApiOkResponse({ type: KpiReportDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'VALIDATION_FAILED: from not before to, or a period over 400 days' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'NOT_FOUND: departmentId or ownerId is outside your scope' })
  getKpis(@CurrentUser() caller: AuthUser, @Query() query: KpiQueryDto): Promise<KpiReportDto> {
    return this.kpis.report(caller, query);
  }

  @Get('export')
  @Roles(...SUPERVISION_ROLES)
  @ApiOperation({ operationId: 'exportKpis', summary: 'The same figures as CSV (UTF-8 with BOM, for Excel and WPS), streamed; cells starting with = + - @ get a leading apostrophe' })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'One header row (departmentId, departmentName, ownerId, ownerName, then every figure of KpiRowDto in order), one row per group. Streamed, with no schema of its own.',
    content: { 'text/csv': {} },
  })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'VALIDATION_FAILED' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'NOT_FOUND: departmentId or ownerId is outside your scope' })
  async exportKpis(@CurrentUser() caller: AuthUser, @Query() query: KpiExportQueryDto, @Res() reply: FastifyReply): Promise<void> {
    const file = await this.kpis.exportCsv(caller, query);
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.filename}"`).header('cache-control', 'no-store').send(file.body);
  }
}
