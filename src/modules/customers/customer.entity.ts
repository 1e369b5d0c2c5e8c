import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { DepartmentEntity } from '../departments/department.entity';
import { TierEntity } from '../tiers/tier.entity';
import { UserEntity } from '../users/user.entity';

export const CUSTOMER_KINDS = ['organization', 'individual'] as const;
export const CUSTOMER_SOURCES = ['exhibition', 'cold_visit', 'referral', 'inbound', 'website', 'wecom', 'other'] as const;
export const CUSTOMER_STAGES = ['potential', 'prospect', 'customer', 'strategic'] as const;
/** `dormant`: archived by the dormancy sweep; `dormant` and `archived` are "the archive". */
export const CUSTOMER_STATUSES = ['active', 'dormant', 'archived'] as const;
/** Gone for good: after an approved deletion (404), or merged into another customer (410). */
export const REMOVED_STATUSES = ['deleted', 'merged'] as const;
export const CONSENT_STATUSES = ['unknown', 'granted', 'withdrawn'] as const;

export type CustomerKind = (typeof CUSTOMER_KINDS)[number];
export type CustomerSource = (typeof CUSTOMER_SOURCES)[number];
export type CustomerStage = (typeof CUSTOMER_STAGES)[number];
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number] | (typeof REMOVED_STATUSES)[number];
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

export interface CustomerNeeds {
  purchaseIntent?: string;
  productPreferences?: string[];
  budgetRange?: string;
}

@Entity('customers')
@Check('ck_customers_kind', `kind IN ('organization', 'individual')`)
@Check('ck_customers_source', `source IN ('exhibition', 'cold_visit', 'referral', 'inbound', 'website', 'wecom', 'other')`)
@Check('ck_customers_stage', `stage IN ('potential', 'prospect', 'customer', 'strategic')`)
@Check('ck_customers_status', `status IN ('active', 'dormant', 'archived', 'deleted', 'merged')`)
@Check('ck_customers_consent', `marketing_consent IN ('unknown', 'granted', 'withdrawn')`)
@Check('ck_customers_importance', `importance BETWEEN 1 AND 5`)
@Check('ck_customers_potential_score', `potential_score BETWEEN 0 AND 100`)
@Index('uq_customers_name_normalized', ['nameNormalized'], { unique: true, where: `status NOT IN ('deleted', 'merged')` })
@Index('uq_customers_credit_code', ['creditCode'], { unique: true, where: `credit_code IS NOT NULL AND status NOT IN ('deleted', 'merged')` })
@Index('ix_customers_owner', ['ownerId', 'status', 'name', 'id'])
@Index('ix_customers_department_name', ['departmentId', 'status', 'name', 'id'])
@Index('ix_customers_department_updated', ['departmentId', 'status', 'updatedAt', 'id'])
@Index('ix_customers_status_name', ['status', 'name', 'id'])
@Index('ix_customers_status_created', ['status', 'createdAt', 'id'])
@Index('ix_customers_status_updated', ['status', 'updatedAt', 'id'])
@Index('ix_customers_status_last_interaction', { synchronize: false })
@Index('ix_customers_name_trgm', { synchronize: false })
@Index('ix_customers_short_name_trgm', { synchronize: false })
@Index('ix_customers_search_grams', { synchronize: false }) // GIN over customer_search_grams(name, short_name), by migration
@Index('ix_customers_search_prefix_short_name', { synchronize: false }) // two-character prefix of the search key, by migration
@Index('ix_customers_search_prefix_name', { synchronize: false })
@Index('ix_customers_dormancy', { synchronize: false })
@Index('ix_customers_department_kpi', { synchronize: false }) // (department_id, owner_id, status) INCLUDE (created_at, archived_at, reactivated_at), by migration: the KPIs' snapshot, index-only
@Index('ix_customers_tier', ['tierId'])
@Index('ix_customers_name_normalized_trgm', { synchronize: false }) // gin trigram: suspected duplicates
@Index('ix_customers_landline', ['landline'], { where: 'landline IS NOT NULL' })
@Index('ix_customers_merged_into', { synchronize: false }) // partial: only merged customers
@Index('ix_customers_follow_up', ['status', 'nextFollowUpAt', 'id'])
@Index('ix_customers_owner_follow_up', ['ownerId', 'status', 'nextFollowUpAt', 'id'])
@Index('ix_customers_department_follow_up', ['departmentId', 'status', 'nextFollowUpAt', 'id'])
export class CustomerEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** 规范全称: the full legal name as entered (trimmed). */
  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Case, width, spaces and punctuation folded: what duplicates are detected on. */
  @Column({ name: 'name_normalized', type: 'varchar', length: 200 })
  nameNormalized: string;

  @Column({ name: 'short_name', type: 'varchar', length: 100, nullable: true })
  shortName: string | null;

  @Column({ type: 'varchar', length: 20, default: 'organization' })
  kind: CustomerKind;

  @Column({ type: 'varchar', length: 100, nullable: true })
  industry: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  scale: string | null;

  @Column({ type: 'varchar', length: 20, default: 'other' })
  source: CustomerSource;

  @Column({ type: 'varchar', length: 20, default: 'potential' })
  stage: CustomerStage;

  @Column({ type: 'smallint', default: 3 })
  importance: number;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  needs: CustomerNeeds;

  @Column({ type: 'text', nullable: true })
  notes: string | null;

  /** 统一社会信用代码 */
  @Column({ name: 'credit_code', type: 'varchar', length: 18, nullable: true })
  creditCode: string | null;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_customers_owner' })
  owner?: UserEntity;

  /** The owner's department, kept with the customer so that scoping is one indexed comparison. */
  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_customers_department' })
  department?: DepartmentEntity;

  @Column({ type: 'varchar', length: 20, default: 'active' })
  status: CustomerStatus;

  @Column({ name: 'merged_into_id', type: 'uuid', nullable: true })
  mergedIntoId: string | null;

  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt: Date | null;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt: Date | null;

  @Column({ name: 'reactivated_at', type: 'timestamptz', nullable: true })
  reactivatedAt: Date | null;

  @Column({ name: 'last_interaction_at', type: 'timestamptz', nullable: true })
  lastInteractionAt: Date | null;

  @Column({ name: 'next_follow_up_at', type: 'timestamptz', nullable: true })
  nextFollowUpAt: Date | null;

  @Column({ name: 'tier_id', type: 'uuid', nullable: true })
  tierId: string | null;

  @ManyToOne(() => TierEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'tier_id', foreignKeyConstraintName: 'fk_customers_tier' })
  tier?: TierEntity;

  /** A tier set by hand: rule evaluation keeps it until a manager or admin releases it, or until `tierPinnedUntil`. */
  @Column({ name: 'tier_pinned', type: 'boolean', default: false })
  tierPinned: boolean;

  @Column({ name: 'tier_pinned_until', type: 'timestamptz', nullable: true })
  tierPinnedUntil: Date | null;

  /** Yuan; numeric in the database, a string from the driver to keep precision. */
  @Column({ name: 'annual_revenue', type: 'numeric', precision: 18, scale: 2, nullable: true })
  annualRevenue: string | null;

  @Column({ name: 'cooperation_since', type: 'date', nullable: true })
  cooperationSince: string | null;

  @Column({ name: 'potential_score', type: 'smallint', nullable: true })
  potentialScore: number | null;

  /** 地区: where the customer is; suspected duplicates are looked for among customers of one region. */
  @Column({ type: 'varchar', length: 50, nullable: true })
  region: string | null;

  /** 座机: the company's switchboard, digits only (area code first); a shared one suggests a duplicate record. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  landline: string | null;

  /** When the owner last confirmed the record is current (a periodic review, issue 17). */
  @Column({ name: 'reviewed_at', type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;

  /** Due date of the next action recorded on the latest interaction. */
  @Column({ name: 'next_action_due_at', type: 'timestamptz', nullable: true })
  nextActionDueAt: Date | null;

  @Column({ name: 'marketing_consent', type: 'varchar', length: 20, default: 'unknown' })
  marketingConsent: ConsentStatus;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy: string;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
