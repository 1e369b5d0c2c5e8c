import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole, Roles } from '../../common/auth/decorators';
import { IndustriesService } from './industries.service';
import { INDUSTRIES_MAX, IndustryDto, ReplaceIndustriesDto } from './dto/industry.dto';
import { ApiOkArray } from '../../common/http/openapi-responses';

@ApiTags('industries')
@Controller('industries')
export class IndustriesController {
  constructor(private readonly industries: IndustriesService) {}

  @Get()
  @AnyRole()
  @ApiOperation({ operationId: 'listIndustries', summary: 'The industries a customer may be filed under, by code' })
  @ApiOkArray(IndustryDto, INDUSTRIES_MAX, `The whole list (at most ${INDUSTRIES_MAX}: a replacement holds at most that many)`)
  listIndustries(): Promise<IndustryDto[]> {
    return this.industries.list();
  }

  @Put()
  @Roles('admin')
  @ApiOperation({ operationId: 'replaceIndustries', summary: 'Replace the whole list (audited); customers keep the industry they have' })
  @ApiOkArray(IndustryDto, INDUSTRIES_MAX, `The whole list (at most ${INDUSTRIES_MAX}: a replacement holds at most that many)`)
  replaceIndustries(@Body() dto: ReplaceIndustriesDto): Promise<IndustryDto[]> {
    return this.industries.replace(dto);
  }
}
