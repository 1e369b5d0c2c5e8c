import { INT32_MAX } from '../../../common/http/numbers';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { IsRfc3339DateTime } from '../../../common/http/dates';
import { IsOptional } from '../../../common/http/optional';
import { KPI_DEFINITIONS, KPI_MAX_PERIOD_DAYS } from '../kpi.rules';

export const KPI_GROUP_BY = ['owner', 'department'] as const;
/** Most rows one report holds (one per owner or department in scope). */
export const KPI_ROWS_MAX = 5000;

export class KpiQueryDto {
  @ApiProperty({ format: 'date-time', example: '2026-04-01T00:00:00+08:00', description: `Start of the period, inclusive: midnight in the company's time zone (400 otherwise), at most ${KPI_MAX_PERIOD_DAYS} days before to` })
  @IsRfc3339DateTime()
  from: string;

  @ApiProperty({ format: 'date-time', example: '2026-07-01T00:00:00+08:00', description: 'End of the period, exclusive: midnight in the company\'s time zone (400 otherwise)' })
  @IsRfc3339DateTime()
  to: string;

  @ApiPropertyOptional({ enum: KPI_GROUP_BY, default: 'owner', description: 'One row per owner, or per department (events credited to the holder at the time; snapshot figures as customers belong now)' })
  @IsOptional()
  @IsIn(KPI_GROUP_BY)
  groupBy?: (typeof KPI_GROUP_BY)[number];

  @ApiPropertyOptional({ format: 'uuid', description: 'One department (404 when it is not one you may see)' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'One owner (404 when it is not someone whose figures you may see)' })
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

export class KpiExportQueryDto extends KpiQueryDto {
  @ApiPropertyOptional({ enum: ['csv'], default: 'csv' })
  @IsOptional()
  @IsIn(['csv'])
  format?: 'csv';
}

const count = (name: keyof typeof KPI_DEFINITIONS) => ApiProperty({ type: 'integer', format: 'int32', minimum: 0, maximum: INT32_MAX, description: KPI_DEFINITIONS[name] });
const ratio = (name: keyof typeof KPI_DEFINITIONS, maximum: number, example: number) =>
  ApiProperty({ type: Number, nullable: true, minimum: 0, maximum, example, description: KPI_DEFINITIONS[name] });

export class KpiRowDto {
  @ApiProperty({ format: 'uuid', description: 'The owner\'s department (groupBy=owner) or the department' })
  departmentId: string;

  @ApiProperty({ maxLength: 100, example: '华东销售部' })
  departmentName: string;

  @ApiProperty({ format: 'uuid', type: String, nullable: true, description: 'null when grouped by department' })
  ownerId: string | null;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '王芳' })
  ownerName: string | null;

  @count('customersOwned') customersOwned: number;
  @count('newCustomers') newCustomers: number;
  @count('interactions') interactions: number;
  @count('followUpsDue') followUpsDue: number;
  @count('followUpsOnTime') followUpsOnTime: number;
  @ratio('followUpOnTimeRate', 100, 87.5) followUpOnTimeRate: number | null;
  @count('wentDormant') wentDormant: number;
  @count('reactivated') reactivated: number;
  @count('complaintsReceived') complaintsReceived: number;
  @count('complaintsResolved') complaintsResolved: number;
  @count('complaintsResolvedOnTime') complaintsResolvedOnTime: number;
  @ratio('complaintOnTimeRate', 100, 95) complaintOnTimeRate: number | null;
  @ratio('meanResolutionWorkingMinutes', 1_000_000, 312.5) meanResolutionWorkingMinutes: number | null;
  @ratio('satisfactionAverage', 5, 4.5) satisfactionAverage: number | null;
  @count('transfersIn') transfersIn: number;
  @count('transfersOut') transfersOut: number;
  @ratio('dataQualityCompleteness', 100, 96.5) dataQualityCompleteness: number | null;
  @count('reviewTasksDue') reviewTasksDue: number;
  @count('reviewTasksDone') reviewTasksDone: number;
  @ratio('reviewCompletionRate', 100, 100) reviewCompletionRate: number | null;
}

export class KpiReportDto {
  @ApiProperty({ format: 'date-time' })
  from: string;

  @ApiProperty({ format: 'date-time' })
  to: string;

  @ApiProperty({ enum: KPI_GROUP_BY })
  groupBy: (typeof KPI_GROUP_BY)[number];

  @ApiProperty({ type: [KpiRowDto], maxItems: KPI_ROWS_MAX, description: 'Groups with any figure in scope, by department name then owner name' })
  rows: KpiRowDto[];
}
