import { Body, Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole, CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { IdParam } from '../../common/http/id-param';
import { CustomerTagsService } from './customer-tags.service';
import {
  BulkChangeCustomerTagsDto,
  BulkTagResponseDto,
  ChangeCustomerTagsDto,
  CreateTagDto,
  CreateTagGroupDto,
  TagDto,
  TagGroupDto,
  TagRefDto,
  UpdateTagDto,
  UpdateTagGroupDto,
} from './dto/tag.dto';
import { TagsService } from './tags.service';
import { ApiOkArray } from '../../common/http/openapi-responses';
import { LIMITS, VISIBLE_TAGS_PER_GROUP } from '../../common/limits';
import { Idempotent } from '../idempotency';

const TAGGERS = ['admin', 'manager', 'sales', 'marketing'] as const;

@ApiTags('tags')
@Controller()
export class TagsController {
  constructor(
    private readonly tags: TagsService,
    private readonly customerTags: CustomerTagsService,
  ) {}

  @Get('tag-groups')
  @AnyRole()
  @ApiOperation({ operationId: 'listTagGroups', summary: 'The tag framework: groups with their company tags and your personal tags' })
  @ApiOkArray(TagGroupDto, LIMITS.tagGroups, `Every group (at most ${LIMITS.tagGroups}: creating more is 422 LIMIT_REACHED)`)
  listTagGroups(@CurrentUser() caller: AuthUser): Promise<TagGroupDto[]> {
    return this.tags.listGroups(caller);
  }

  @Post('tag-groups')
  @Idempotent()
  @Roles('admin')
  @ApiOperation({ operationId: 'createTagGroup', summary: 'Create a tag group' })
  @ApiCreatedResponse({ type: TagGroupDto })
  createTagGroup(@Body() dto: CreateTagGroupDto): Promise<TagGroupDto> {
    return this.tags.createGroup(dto);
  }

  @Patch('tag-groups/:id')
  @Roles('admin')
  @ApiOperation({ operationId: 'updateTagGroup', summary: 'Rename, reorder, or change exclusive / personal tags of a group' })
  @ApiOkResponse({ type: TagGroupDto })
  updateTagGroup(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: UpdateTagGroupDto): Promise<TagGroupDto> {
    return this.tags.updateGroup(caller, id, dto);
  }

  @Delete('tag-groups/:id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ operationId: 'deleteTagGroup', summary: 'Delete an empty tag group' })
  @ApiNoContentResponse({ description: 'Deleted' })
  deleteTagGroup(@IdParam() id: string): Promise<void> {
    return this.tags.deleteGroup(id);
  }

  @Post('tag-groups/:id/tags')
  @Idempotent()
  @Roles(...TAGGERS)
  @ApiOperation({ operationId: 'createTag', summary: 'Add a tag: company tags by admins, personal tags by anyone in groups that allow them' })
  @ApiCreatedResponse({ type: TagDto })
  createTag(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: CreateTagDto): Promise<TagDto> {
    return this.tags.createTag(caller, id, dto);
  }

  @Patch('tags/:id')
  @Roles(...TAGGERS)
  @ApiOperation({ operationId: 'updateTag', summary: 'Rename or reorder a tag (company tags: admins; personal: their owner)' })
  @ApiOkResponse({ type: TagDto })
  updateTag(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: UpdateTagDto): Promise<TagDto> {
    return this.tags.updateTag(caller, id, dto);
  }

  @Delete('tags/:id')
  @HttpCode(204)
  @Roles(...TAGGERS)
  @ApiOperation({ operationId: 'deleteTag', summary: 'Delete a tag; it comes off every customer in the same transaction' })
  @ApiNoContentResponse({ description: 'Deleted' })
  deleteTag(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<void> {
    return this.tags.deleteTag(caller, id);
  }

  @Post('customers/tags/bulk')
  @HttpCode(200)
  @Roles(...TAGGERS)
  @ApiOperation({ operationId: 'bulkChangeCustomerTags', summary: 'Add and remove tags on up to 1,000 customers at once, with a result per customer' })
  @ApiOkResponse({ type: BulkTagResponseDto })
  bulkChangeCustomerTags(@CurrentUser() caller: AuthUser, @Body() dto: BulkChangeCustomerTagsDto): Promise<BulkTagResponseDto> {
    return this.customerTags.bulkChange(caller, dto.customerIds, dto);
  }

  @Post('customers/:id/tags')
  @HttpCode(200)
  @Roles(...TAGGERS)
  @ApiOperation({ operationId: 'changeCustomerTags', summary: 'Add and remove tags on one customer; returns its tags' })
  @ApiOkArray(TagRefDto, LIMITS.tagGroups * VISIBLE_TAGS_PER_GROUP, 'The tags on the customer you can see')
  changeCustomerTags(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ChangeCustomerTagsDto): Promise<TagRefDto[]> {
    return this.customerTags.change(caller, id, dto);
  }
}
