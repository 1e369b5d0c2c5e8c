import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { Public } from '../../common/auth/decorators';
import { DomainError } from '../../common/errors/domain-error';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../../common/errors/outage-errors';
import { ProblemDto } from '../../common/errors/problem.dto';
import { RETRY_AFTER_HEADER } from '../../common/http/openapi-responses';

class HealthDto {
  @ApiProperty({ example: 'ok', enum: ['ok'] })
  status: 'ok';

  @ApiProperty({ example: 'up', enum: ['up'] })
  database: 'up';
}

class LivenessDto {
  @ApiProperty({ example: 'ok', enum: ['ok'] })
  status: 'ok';
}

const PROBE_TIMEOUT_MS = 2000;
const MIGRATION_NAMES = MIGRATIONS.map((migration) => migration.name);

const NOT_READY = {
  type: ProblemDto,
  headers: { 'Retry-After': RETRY_AFTER_HEADER },
  description: 'SERVICE_UNAVAILABLE: the database does not answer, or its schema is behind this version of the service',
};

/**
 * Liveness is not readiness: a database outage must take the instance out of the load balancer
 * (readiness 503) without getting it killed (liveness 200), since it recovers by itself.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @Get('live')
  @Public()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: 200 while the process and its event loop answer; never asks the database' })
  @ApiOkResponse({ type: LivenessDto })
  getLiveness(): LivenessDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: 200 when the database answers and its schema is at this version\'s latest migration' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse(NOT_READY)
  getReadiness(): Promise<HealthDto> {
    return this.ready();
  }

  @Get()
  @Public()
  @ApiOperation({ operationId: 'getHealth', summary: 'Readiness, as GET /health/ready (kept for existing probes)' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse(NOT_READY)
  getHealth(): Promise<HealthDto> {
    return this.ready();
  }

  private async ready(): Promise<HealthDto> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
    });
    let applied: number;
    try {
      const rows: { applied: number }[] = await Promise.race([
        this.dataSource.query(`SELECT count(*)::int AS applied FROM schema_migrations WHERE name = ANY($1)`, [MIGRATION_NAMES]),
        timeout,
      ]);
      applied = rows[0].applied;
    } catch {
      throw notReady('The database does not answer');
    } finally {
      clearTimeout(timer);
    }
    if (applied < MIGRATION_NAMES.length) throw notReady(`The database schema lacks ${MIGRATION_NAMES.length - applied} migration(s) of this version`);
    return { status: 'ok', database: 'up' };
  }
}

function notReady(detail: string): DomainError {
  return new DomainError('SERVICE_UNAVAILABLE', detail, { headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) } });
}
