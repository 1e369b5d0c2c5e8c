import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** An exception to Monday–Friday: a public holiday, or a make-up working day (调休). Entered as data each year. */
@Entity('calendar_days')
@Check('ck_calendar_days_kind', `kind IN ('holiday', 'workday')`)
export class CalendarDayEntity {
  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'varchar', length: 10 })
  kind: 'holiday' | 'workday';

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'updated_by', type: 'uuid', nullable: true })
  updatedBy: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
