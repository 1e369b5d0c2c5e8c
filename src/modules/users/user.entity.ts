import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import type { Role } from '../../common/auth/roles';
import { DepartmentEntity } from '../departments';

@Entity('users')
@Check('ck_users_role', `role IN ('admin', 'manager', 'sales', 'service', 'marketing', 'auditor')`)
@Index('uq_users_username', ['username'], { unique: true })
@Index('ix_users_department', ['departmentId', 'username'])
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-case; login is case-insensitive. */
  @Column({ type: 'varchar', length: 50 })
  username: string;

  @Column({ name: 'display_name', type: 'varchar', length: 100 })
  displayName: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ type: 'varchar', length: 20 })
  role: Role;

  @Column({ name: 'department_id', type: 'uuid' })
  departmentId: string;

  @ManyToOne(() => DepartmentEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'department_id', foreignKeyConstraintName: 'fk_users_department' })
  department?: DepartmentEntity;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt: Date | null;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @VersionColumn({ default: 1 })
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
