import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The data-quality results of customer_quality counted per (department, owner), so that a summary
 * reads a few hundred rows instead of aggregating a department's every result. Kept exact by
 * statement triggers on customer_quality (migration QualitySummary1796670000000): every write to
 * the results, whatever path makes it (the job's batch, a cascade from a deleted customer), adds
 * its difference in the same transaction. A pair with no customer left has no row.
 */
@Entity('quality_summary')
export class QualitySummaryEntity {
  @PrimaryColumn({ name: 'department_id', type: 'uuid', primaryKeyConstraintName: 'PK_quality_summary' })
  departmentId: string;

  @PrimaryColumn({ name: 'owner_id', type: 'uuid', primaryKeyConstraintName: 'PK_quality_summary' })
  ownerId: string;

  /** Active customers with a result. */
  @Column({ type: 'integer' })
  customers: number;

  /** Of them, failing at least one rule. */
  @Column({ type: 'integer' })
  failing: number;

  /** Of them, failing no completeness rule. */
  @Column({ type: 'integer' })
  complete: number;
}

/** Per (department, owner, rule): the customers failing the rule (rows with none are removed). */
@Entity('quality_rule_summary')
export class QualityRuleSummaryEntity {
  @PrimaryColumn({ name: 'department_id', type: 'uuid', primaryKeyConstraintName: 'PK_quality_rule_summary' })
  departmentId: string;

  @PrimaryColumn({ name: 'owner_id', type: 'uuid', primaryKeyConstraintName: 'PK_quality_rule_summary' })
  ownerId: string;

  @PrimaryColumn({ type: 'varchar', length: 40, primaryKeyConstraintName: 'PK_quality_rule_summary' })
  rule: string;

  @Column({ type: 'integer' })
  customers: number;
}
