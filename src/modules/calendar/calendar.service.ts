import { Inject, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, notFound } from '../../common/errors/domain-error';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.provider';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { isCalendarDate } from '../../common/http/dates';
import { addWorkingDays, addWorkingMinutes, CalendarOverrides, isWorkingDay, localDateRange, MAX_SPAN_DAYS, workingDayMinutes, workingMinutesBetween } from './working-time';
import { CalendarRepository } from './calendar.repository';
import { CalendarYearDto, PutCalendarDayDto } from './dto/calendar.dto';

/** Calendar days the deadline maths may look ahead over (a long holiday plus N working days). */
const LOOKAHEAD_DAYS = 120;


/** 工作日: Monday to Friday, minus holidays, plus make-up days, all kept as data. */
@Injectable()
export class CalendarService {
  constructor(
    private readonly days: CalendarRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async year(year: number): Promise<CalendarYearDto> {
    const first = `${year}-01-01`;
    const last = `${year}-12-31`;
    const days = await this.days.between(first, last);
    const overrides: CalendarOverrides = new Map(days.map((d) => [d.day, d.kind]));
    let workingDays = 0;
    for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
      if (isWorkingDay(new Date(t).toISOString().slice(0, 10), overrides)) workingDays += 1;
    }
    return { year, ...this.config.workingTime, workingDays, days: days.map((d) => ({ date: d.day, kind: d.kind, name: d.name })) };
  }

  setDay(caller: AuthUser, date: string, dto: PutCalendarDayDto): Promise<void> {
    this.assertDate(date);
    return this.transactions.run(async () => {
      const before = await this.days.findDay(date);
      await this.days.upsert({ day: date, kind: dto.kind, name: dto.name, updatedBy: caller.id, updatedAt: new Date() });
      await this.audit.record({
        action: 'calendar.set_day',
        entityType: 'calendar_day',
        entityId: date,
        before: before ? { kind: before.kind, name: before.name } : null,
        after: { kind: dto.kind, name: dto.name },
      });
    });
  }

  removeDay(date: string): Promise<void> {
    this.assertDate(date);
    return this.transactions.run(async () => {
      const before = await this.days.findDay(date);
      if (!before) throw notFound('Calendar day');
      await this.days.remove(date);
      await this.audit.record({ action: 'calendar.remove_day', entityType: 'calendar_day', entityId: date, before: { kind: before.kind, name: before.name } });
    });
  }

  /** N working days after `from`, with the exceptions loaded from the database. */
  async addWorkingDays(from: Date, n: number): Promise<Date> {
    return addWorkingDays(from, n, await this.overridesFrom(from, LOOKAHEAD_DAYS), this.config.workingTime);
  }

  /** N minutes of working time after `from` (a response clock), with the exceptions loaded from the database. */
  async addWorkingMinutes(from: Date, n: number): Promise<Date> {
    const days = Math.min(MAX_SPAN_DAYS, LOOKAHEAD_DAYS + Math.ceil(n / 60 / 8) * 2);
    return addWorkingMinutes(from, n, await this.overridesFrom(from, days), this.config.workingTime);
  }

  /** Minutes of one working day (WORK_DAY_START to WORK_DAY_END). */
  workingDayMinutes(): number {
    return workingDayMinutes(this.config.workingTime);
  }

  async workingMinutesBetween(from: Date, to: Date): Promise<number> {
    const days = Math.max(1, Math.ceil((to.getTime() - from.getTime()) / 86_400_000) + 1);
    return workingMinutesBetween(from, to, await this.overridesFrom(from, days), this.config.workingTime);
  }

  private async overridesFrom(from: Date, days: number): Promise<CalendarOverrides> {
    const { first, last } = localDateRange(from, days, this.config.workingTime.timeZone);
    return new Map((await this.days.between(first, last)).map((d) => [d.day, d.kind]));
  }

  private assertDate(date: string): void {
    if (!isCalendarDate(date)) throw new DomainError('VALIDATION_FAILED', 'date must be a date like 2026-10-01', { errors: [{ field: 'date', message: 'date must be a date like 2026-10-01' }] });
  }
}
