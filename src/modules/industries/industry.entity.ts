import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The industries a customer may be filed under (seed 004 §2.1), kept as data: seeded with the
 * top-level sections (门类) of GB/T 4754-2017, replaced as a whole by an admin.
 */
@Entity('industries')
@Index('uq_industries_name', ['name'], { unique: true })
export class IndustryEntity {
  /** The section letter (A–T) or an admin's own code. */
  @PrimaryColumn({ type: 'varchar', length: 10, primaryKeyConstraintName: 'PK_industries_code' })
  code: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;
}
