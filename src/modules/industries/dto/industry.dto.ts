import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { trim } from '../../../common/http/transforms';

/** The most industries the list holds: a replacement carries at most this many (the seeded list has 20). */
export const INDUSTRIES_MAX = 500;

export class IndustryDto {
  @ApiProperty({ example: 'C', minLength: 1, maxLength: 10, description: 'GB/T 4754-2017 门类 letter, or an admin\'s own code' })
  @Transform(trim)
  @IsString()
  @Length(1, 10)
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'code must be letters, digits, - or _' })
  code: string;

  @ApiProperty({ example: '制造业', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;
}

export class ReplaceIndustriesDto {
  @ApiProperty({ maxItems: INDUSTRIES_MAX, type: [IndustryDto], description: 'The whole new list; customers keep the industry they have even when it leaves the list' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(INDUSTRIES_MAX)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => IndustryDto)
  industries: IndustryDto[];

  @ApiPropertyOptional({ example: '按 GB/T 4754-2017 门类调整', maxLength: 500 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  reason?: string;
}
