import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, IsUUID, Length, Matches, Min, Max } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { INT32_MAX } from '../../../common/http/numbers';
import { type Role, ROLES } from '../../../common/auth/roles';
import { CURSOR_MAX_LENGTH, PAGE_LIMIT_MAX, PageQueryDto } from '../../../common/pagination';
import { UserEntity } from '../user.entity';
import { trim, lowerTrim, toBoolean } from '../../../common/http/transforms';

export class CreateUserDto {
  @ApiProperty({ maxLength: 50, example: 'li.lei', description: '3–50 characters: letters, digits, dot, dash, underscore; case-insensitive' })
  @Transform(lowerTrim)
  @IsString()
  @Length(3, 50)
  @Matches(/^[a-z0-9._-]+$/, { message: 'username may contain only letters, digits, dot, dash and underscore' })
  username: string;

  @ApiProperty({ example: '李雷', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  displayName: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 12, maxLength: 128, writeOnly: true })
  @IsString()
  @Length(12, 128)
  password: string;

  @ApiProperty({ enum: ROLES, example: 'sales' })
  @IsIn(ROLES)
  role: Role;

  @ApiProperty({ format: 'uuid', example: '6f1d2c3b-8a9e-4f70-b1c2-3d4e5f607182' })
  @IsUUID()
  departmentId: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ example: '李雷', minLength: 1, maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  displayName?: string;

  @ApiPropertyOptional({ example: 'a new long passphrase', minLength: 12, maxLength: 128, writeOnly: true })
  @IsOptional()
  @IsString()
  @Length(12, 128)
  password?: string;

  @ApiPropertyOptional({ enum: ROLES, example: 'manager' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid', example: '6f1d2c3b-8a9e-4f70-b1c2-3d4e5f607182' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 1, description: 'The version you read; a stale one gives 412 VERSION_CONFLICT' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class ListUsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  departmentId?: string;

  @ApiPropertyOptional({ type: Boolean, example: true })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active?: boolean;
}

export class UserDto {
  @ApiProperty({ format: 'uuid', example: '0b6f3c1e-2d4a-4e8f-9a1b-3c5d7e9f1a2b' })
  id: string;

  @ApiProperty({ maxLength: 50, example: 'li.lei' })
  username: string;

  @ApiProperty({ maxLength: 100, example: '李雷' })
  displayName: string;

  @ApiProperty({ enum: ROLES, example: 'sales' })
  role: Role;

  @ApiProperty({ format: 'uuid', example: '6f1d2c3b-8a9e-4f70-b1c2-3d4e5f607182' })
  departmentId: string;

  @ApiProperty({ example: true })
  active: boolean;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  deactivatedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-22T08:00:00.000Z' })
  lastLoginAt: string | null;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T08:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T08:00:00.000Z' })
  updatedAt: string;

  static from(user: UserEntity): UserDto {
    return {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      departmentId: user.departmentId,
      active: user.active,
      deactivatedAt: user.deactivatedAt?.toISOString() ?? null,
      lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
      version: user.version,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    };
  }
}

export class UserPageDto {
  @ApiProperty({ maxItems: PAGE_LIMIT_MAX, type: [UserDto] })
  items: UserDto[];

  @ApiProperty({ maxLength: CURSOR_MAX_LENGTH, type: String, nullable: true, example: null, description: 'Pass as cursor to get the next page; null on the last page' })
  nextCursor: string | null;
}
