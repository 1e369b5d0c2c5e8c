import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnyRole, Roles } from '../../common/auth/decorators';
import { IndustriesService } from './industries.service';
import { IndustryDto, ReplaceIndustriesDto } from './dto/industry.dto';

@ApiTags('industries')
@Controller('industries')
export class IndustriesController {
  constructor(private readonly industries: IndustriesService) {}

  @Get()
  @AnyRole()
  @ApiOperation({ operationId: 'listIndustries', summary: 'The industries a customer may be filed under, by code' })
  @ApiOkResponse({ type: [IndustryDto] })
  listIndustries(): Promise<IndustryDto[]> {
    return this.industries.list();
  }

  @Put()
  @Roles('admin')
  @ApiOperation({ operationId: 'replaceIndustries', summary: 'Replace the whole list (audited); customers keep the industry they have' })
  @ApiOkResponse({ type: [IndustryDto] })
  replaceIndustries(@Body() dto: ReplaceIndustriesDto): Promise<IndustryDto[]> {
    return this.industries.replace(dto);
  }
}
