import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { AnyRole, CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { CalendarService } from './calendar.service';
import { CalendarYearDto, CalendarYearQueryDto, PutCalendarDayDto } from './dto/calendar.dto';

@ApiTags('calendar')
@Controller('calendar')
export class CalendarController {
  constructor(private readonly calendar: CalendarService) {}

  @Get()
  @AnyRole()
  @ApiOperation({ operationId: 'getCalendarYear', summary: 'The business calendar of a year: holidays and make-up working days' })
  @ApiOkResponse({ type: CalendarYearDto })
  getCalendarYear(@Query() query: CalendarYearQueryDto): Promise<CalendarYearDto> {
    return this.calendar.year(query.year);
  }

  @Put('days/:date')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ operationId: 'setCalendarDay', summary: 'Make a date a holiday or a make-up working day' })
  @ApiParam({ name: 'date', example: '2026-10-01', schema: { type: 'string', format: 'date', maxLength: 10 } })
  @ApiNoContentResponse({ description: 'Saved' })
  setCalendarDay(@CurrentUser() caller: AuthUser, @Param('date') date: string, @Body() dto: PutCalendarDayDto): Promise<void> {
    return this.calendar.setDay(caller, date, dto);
  }

  @Delete('days/:date')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ operationId: 'removeCalendarDay', summary: 'Return a date to the Monday–Friday rule' })
  @ApiParam({ name: 'date', example: '2026-10-01', schema: { type: 'string', format: 'date', maxLength: 10 } })
  @ApiNoContentResponse({ description: 'Removed' })
  removeCalendarDay(@Param('date') date: string): Promise<void> {
    return this.calendar.removeDay(date);
  }
}
