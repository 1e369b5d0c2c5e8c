export { CalendarModule } from './calendar.module';
export { CalendarService } from './calendar.service';
export { MAX_SPAN_DAYS, withinMaxSpan } from './working-time';
