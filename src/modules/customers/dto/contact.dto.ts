import { CONTACT_PII_FIELDS, type ContactPiiField } from '../contact-codec';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, IsUUID, Length, Min, Max } from 'class-validator';
import { IsOptional } from '../../../common/http/optional';
import { INT32_MAX } from '../../../common/http/numbers';
import { CONTACT_STATUSES, type ContactStatus } from '../contact.entity';
import { EMAIL_MAX_LENGTH, IsEmailAddress, IsMobile, IsWechatId, MOBILE_MAX_LENGTH, WECHAT_ID_MAX_LENGTH } from './validators';
import { trim } from '../../../common/http/transforms';

export class ContactInputDto {
  @ApiProperty({ example: '张伟', minLength: 1, maxLength: 100 })
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ example: '采购经理', maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(0, 100)
  position?: string;

  @ApiPropertyOptional({ example: '+86 138-0013-8000', description: 'Mainland mobile (+86 optional) or E.164; stored normalized and encrypted', maxLength: MOBILE_MAX_LENGTH })
  @IsOptional()
  @IsMobile()
  mobile?: string;

  @ApiPropertyOptional({ example: 'zhang.wei@example.com', description: 'Stored lower-cased and encrypted', maxLength: EMAIL_MAX_LENGTH })
  @IsOptional()
  @IsEmailAddress()
  email?: string;

  @ApiPropertyOptional({ example: 'wxid_zhangwei01', description: 'Stored encrypted', maxLength: WECHAT_ID_MAX_LENGTH })
  @IsOptional()
  @IsWechatId()
  wechatId?: string;

  @ApiPropertyOptional({ example: true, description: 'The first contact is primary when none is marked' })
  @IsOptional()
  @IsBoolean()
  isPrimary?: boolean;
}

export class UpdateContactDto {
  @ApiPropertyOptional({ example: '张伟', minLength: 1, maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name?: string;

  @ApiPropertyOptional({ example: '采购总监', maxLength: 100 })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(0, 100)
  position?: string;

  @ApiPropertyOptional({ example: '13800138000', maxLength: MOBILE_MAX_LENGTH })
  @IsOptional()
  @IsMobile()
  mobile?: string;

  @ApiPropertyOptional({ example: 'zhang.wei@example.com', maxLength: EMAIL_MAX_LENGTH })
  @IsOptional()
  @IsEmailAddress()
  email?: string;

  @ApiPropertyOptional({ example: 'wxid_zhangwei01', maxLength: WECHAT_ID_MAX_LENGTH })
  @IsOptional()
  @IsWechatId()
  wechatId?: string;

  @ApiPropertyOptional({ example: true, description: 'true makes this the primary contact (the previous one stops being primary)' })
  @IsOptional()
  @IsIn([true], { message: 'isPrimary can only be set to true; make another contact primary instead' })
  isPrimary?: true;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: INT32_MAX, example: 1, description: 'The version you read; a stale one gives 412 VERSION_CONFLICT' })
  @IsInt()
  @Min(1)
  @Max(INT32_MAX)
  version: number;
}

export class MarkContactLeftDto {
  @ApiProperty({ example: '原对接人离职', minLength: 1, maxLength: 500 })
  @Transform(trim)
  @IsString()
  @Length(1, 500)
  reason: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Required when the contact leaving is the primary and other active contacts remain' })
  @IsOptional()
  @IsUUID()
  newPrimaryContactId?: string;
}

export class ContactDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  customerId: string;

  @ApiProperty({ maxLength: 100, example: '张伟' })
  name: string;

  @ApiProperty({ maxLength: 100, type: String, nullable: true, example: '采购经理' })
  position: string | null;

  @ApiProperty({ maxLength: MOBILE_MAX_LENGTH, type: String, nullable: true, example: '+8613800138000', description: 'Masked (138****8000) for service, marketing and auditors' })
  mobile: string | null;

  @ApiProperty({ maxLength: EMAIL_MAX_LENGTH, type: String, nullable: true, example: 'zhang.wei@example.com', description: 'Masked (z***@example.com) for service, marketing and auditors' })
  email: string | null;

  @ApiProperty({ maxLength: WECHAT_ID_MAX_LENGTH, type: String, nullable: true, example: 'wxid_zhangwei01', description: 'Masked (wx****01) for service, marketing and auditors' })
  wechatId: string | null;

  @ApiProperty({
    enum: CONTACT_PII_FIELDS,
    isArray: true,
    maxItems: 3,
    example: [],
    description: 'Fields stored but unreadable (shown as null): the stored value does not belong to this contact and field, or was sealed under a key the service no longer holds. Empty normally.',
  })
  unreadableFields: ContactPiiField[];

  @ApiProperty({ example: true })
  isPrimary: boolean;

  @ApiProperty({ enum: CONTACT_STATUSES, example: 'active' })
  status: ContactStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: null })
  leftAt: string | null;

  @ApiProperty({ example: 1 })
  version: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T08:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-22T08:00:00.000Z' })
  updatedAt: string;
}
