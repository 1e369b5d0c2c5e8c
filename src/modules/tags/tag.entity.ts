import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { CustomerEntity } from '../customers/customer.entity';
import { UserEntity } from '../users/user.entity';

/** 标签体系: a company-wide category of tags, kept by admins. */
@Entity('tag_groups')
@Index('uq_tag_groups_name', ['nameKey'], { unique: true })
export class TagGroupEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 30 })
  name: string;

  /** Trimmed and case-folded: what uniqueness is decided on. */
  @Column({ name: 'name_key', type: 'varchar', length: 30 })
  nameKey: string;

  @Column({ name: 'sort_order', type: 'int', default: 0 })
  order: number;

  /** A customer carries at most one tag of an exclusive group (e.g. purchase stage). */
  @Column({ type: 'boolean', default: false })
  exclusive: boolean;

  @Column({ name: 'allow_personal', type: 'boolean', default: false })
  allowPersonal: boolean;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A company tag (ownerId null) or a personal tag, seen and used by its creator only. */
@Entity('tags')
@Index('ix_tags_group', ['groupId', 'order'])
@Index('uq_tags_name', { synchronize: false }) // (group_id, name_key, coalesce(owner_id, zero uuid)), by migration
export class TagEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'group_id', type: 'uuid' })
  groupId: string;

  @ManyToOne(() => TagGroupEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_tags_group' })
  group?: TagGroupEntity;

  @Column({ type: 'varchar', length: 30 })
  name: string;

  @Column({ name: 'name_key', type: 'varchar', length: 30 })
  nameKey: string;

  @Column({ name: 'sort_order', type: 'int', default: 0 })
  order: number;

  @Column({ name: 'owner_id', type: 'uuid', nullable: true })
  ownerId: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_tags_owner' })
  owner?: UserEntity;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity('customer_tags')
@Index('ix_customer_tags_tag', ['tagId', 'customerId'])
@Index('ix_customer_tags_tag_department_stage_name', ['tagId', 'departmentId', 'stage', 'status', 'customerName', 'customerId'])
export class CustomerTagEntity {
  @PrimaryColumn({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @PrimaryColumn({ name: 'tag_id', type: 'uuid' })
  tagId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_customer_tags_customer' })
  customer?: CustomerEntity;

  @ManyToOne(() => TagEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'tag_id', foreignKeyConstraintName: 'fk_customer_tags_tag' })
  tag?: TagEntity;

  @Column({ name: 'added_by', type: 'uuid' })
  addedBy: string;

  /**
   * The customer's department, kept by the database itself (migration 1796650000000: set from the
   * customer on every insert, and moved with the customer), so that a manager's list filtered by tag
   * reads only the tagged customers of the department (ix_customer_tags_tag_department_stage_name) instead of
   * all of the department's or all of the tag's. Never written by the service.
   */
  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  /**
   * The customer's stage and status, kept by the database like departmentId (migration
   * 1796690000000, on every insert and every change of the customer), so that a manager's list
   * filtered by tag and stage reads only the qualifying customers' tag rows
   * (ix_customer_tags_tag_department_stage_name). Never written by the service.
   */
  @Column({ type: 'varchar', length: 20 })
  stage: string;

  @Column({ type: 'varchar', length: 20 })
  status: string;

  /**
   * The customer's name (the list's default sort key), kept by the database like stage (migration
   * 1796730000000, on every insert and every rename), so that a list by tag in name order reads the
   * tag rows of qualifying customers already in (name, id) order from the cursor and stops after a
   * page. Never written by the service.
   */
  @Column({ name: 'customer_name', type: 'varchar', length: 200 })
  customerName: string;

  @Column({ name: 'added_at', type: 'timestamptz', default: () => 'now()' })
  addedAt: Date;
}

/**
 * One row: the version of the tag catalog (tags and tag groups), moved on by the database in the
 * transaction of every write to either (migration 1796730000001), so that an instance's copy of the
 * catalog can be checked against the version a statement saw. Never written by the service.
 */
@Entity('tag_catalog_version')
export class TagCatalogVersionEntity {
  @PrimaryColumn({ type: 'smallint' })
  id: number;

  @Column({ type: 'bigint' })
  version: string;
}
