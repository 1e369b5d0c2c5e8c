import { Column, Entity, PrimaryColumn } from 'typeorm';

/** When each scheduled job last ran; claiming a run is one conditional UPDATE, so one instance wins. */
@Entity('scheduled_jobs')
export class ScheduledJobEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'last_started_at', type: 'timestamptz', nullable: true })
  lastStartedAt: Date | null;

  @Column({ name: 'last_finished_at', type: 'timestamptz', nullable: true })
  lastFinishedAt: Date | null;

  @Column({ name: 'last_result', type: 'jsonb', nullable: true })
  lastResult: Record<string, unknown> | null;
}
