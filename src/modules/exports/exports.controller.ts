import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { IdParam } from '../../common/http/id-param';
import { ExportDto, RequestExportDto } from './dto/export.dto';
import { ExportsService } from './exports.service';

const REQUESTERS = ['admin', 'manager', 'sales', 'service', 'marketing'] as const;

@ApiTags('exports')
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Post()
  @HttpCode(202)
  @Roles(...REQUESTERS)
  @ApiOperation({ operationId: 'requestExport', summary: 'Ask to export customer data (CSV); it goes to approval' })
  @ApiAcceptedResponse({ type: ExportDto })
  requestExport(@CurrentUser() caller: AuthUser, @Body() dto: RequestExportDto): Promise<ExportDto> {
    return this.exports.request(caller, dto);
  }

  @Get(':id')
  @Roles(...REQUESTERS, 'auditor')
  @ApiOperation({ operationId: 'getExport', summary: 'An export request and its status' })
  @ApiOkResponse({ type: ExportDto })
  getExport(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ExportDto> {
    return this.exports.get(caller, id);
  }

  @Get(':id/download')
  @Roles(...REQUESTERS)
  @ApiOperation({ operationId: 'downloadExport', summary: 'Stream the approved export as CSV (UTF-8 with BOM); requester only, within 24 hours' })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The CSV file', content: { 'text/csv': { schema: { type: 'string', format: 'binary' } } } })
  async downloadExport(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Res() reply: FastifyReply): Promise<void> {
    const file = await this.exports.download(caller, id);
    void reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.filename}"`).header('cache-control', 'no-store').send(file.body);
  }
}
