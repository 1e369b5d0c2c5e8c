import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Length, Max, Min } from 'class-validator';
import { trim } from '../../../common/http/transforms';

export class CalendarYearQueryDto {
  @ApiProperty({ type: 'integer', minimum: 2000, maximum: 2100, example: 2026 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;
}

export class PutCalendarDayDto {
  @ApiProperty({ enum: ['holiday', 'workday'], example: 'holiday', description: 'holiday: a weekday off; workday: a weekend day worked (调休)' })
  @IsIn(['holiday', 'workday'])
  kind: 'holiday' | 'workday';

  @ApiProperty({ example: '国庆节', maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;
}

export class CalendarDayDto {
  @ApiProperty({ format: 'date', example: '2026-10-01' })
  date: string;

  @ApiProperty({ enum: ['holiday', 'workday'], example: 'holiday' })
  kind: 'holiday' | 'workday';

  @ApiProperty({ maxLength: 100, example: '国庆节' })
  name: string;
}

export class CalendarYearDto {
  @ApiProperty({ example: 2026 })
  year: number;

  @ApiProperty({ maxLength: 64, example: 'Asia/Shanghai' })
  timeZone: string;

  @ApiProperty({ maxLength: 5, pattern: '^[0-2][0-9]:[0-5][0-9]$', example: '09:00' })
  dayStart: string;

  @ApiProperty({ maxLength: 5, pattern: '^[0-2][0-9]:[0-5][0-9]$', example: '18:00' })
  dayEnd: string;

  @ApiProperty({ example: 249, description: 'Working days in the year after holidays and make-up days' })
  workingDays: number;

  @ApiProperty({ maxItems: 366, type: [CalendarDayDto], description: 'The exceptions to Monday–Friday' })
  days: CalendarDayDto[];
}
