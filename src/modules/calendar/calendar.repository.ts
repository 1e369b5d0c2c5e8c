import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { CalendarDayEntity } from './calendar-day.entity';

@Injectable()
export class CalendarRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(CalendarDayEntity);
  }

  /** Exceptions between two local dates, inclusive. */
  between(first: string, last: string): Promise<CalendarDayEntity[]> {
    return this.repo.createQueryBuilder('d').where('d.day BETWEEN :first AND :last', { first, last }).orderBy('d.day').getMany();
  }

  findDay(day: string): Promise<CalendarDayEntity | null> {
    return this.repo.findOneBy({ day });
  }

  async upsert(day: CalendarDayEntity): Promise<void> {
    await this.repo.upsert(day, ['day']);
  }

  async remove(day: string): Promise<void> {
    await this.repo.delete({ day });
  }
}
