import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Length, Min, Max } from 'class-validator';
import { INT32_MAX } from '../../../common/http/numbers';
import { DepartmentEntity } from '../department.entity';
import { trim } from '../../../common/http/transforms';

export class CreateDepartmentDto {
  @ApiProperty({ example: '华东销售部', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;
}

export class UpdateDepartmentDto extends CreateDepartmentDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 1, description: 'The version you read; a stale one gives 412 VERSION_CONFLICT' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class DepartmentDto {
  @ApiProperty({ format: 'uuid', example: '6f1d2c3b-8a9e-4f70-b1c2-3d4e5f607182' })
  id: string;

  @ApiProperty({ maxLength: 100, example: '华东销售部' })
  name: string;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T08:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T08:00:00.000Z' })
  updatedAt: string;

  static from(entity: DepartmentEntity): DepartmentDto {
    return {
      id: entity.id,
      name: entity.name,
      version: entity.version,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}
