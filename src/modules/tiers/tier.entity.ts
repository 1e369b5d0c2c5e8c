import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export interface TierCriteria {
  minAnnualRevenue?: number | null;
  minCooperationYears?: number | null;
  minPotentialScore?: number | null;
  /** Activity: at least this many interactions in the last 90 days. */
  minInteractions90d?: number | null;
}

/**
 * The archive's tier: the dormancy sweep gives it, rule evaluation never does (its criteria are
 * not tried), and reactivation leaves it for the tier the rules give.
 */
export const DORMANT_TIER_CODE = 'dormant';

/** 客户分层: a higher rank is a more important tier; evaluation tries them from the highest down. */
@Entity('tiers')
@Index('uq_tiers_code', ['code'], { unique: true })
@Index('uq_tiers_rank', ['rank'], { unique: true })
export class TierEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 30 })
  code: string;

  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Column({ type: 'int' })
  rank: number;

  @Column({ name: 'contact_cadence_days', type: 'int' })
  contactCadenceDays: number;

  @Column({ name: 'preferred_channel', type: 'varchar', length: 20 })
  preferredChannel: string;

  @Column({ name: 'response_target_minutes', type: 'int' })
  responseTargetMinutes: number;

  @Column({ name: 'service_notes', type: 'text', nullable: true })
  serviceNotes: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  criteria: TierCriteria;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
