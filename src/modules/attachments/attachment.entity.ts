import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { UserEntity } from '../users/user.entity';

export const ATTACHMENT_PARENTS = ['opportunity', 'activity'] as const;
export type AttachmentParent = (typeof ATTACHMENT_PARENTS)[number];

/**
 * A file kept with an opportunity or an activity. Never overwritten: a new upload is a new row; a
 * deletion is soft. The bytes are in attachment_chunks, so every instance serves them and backups hold them.
 */
@Entity('attachments')
@Check('ck_attachments_parent_type', `parent_type IN ('opportunity', 'activity')`)
@Check('ck_attachments_stored', `(stored_at IS NULL) = (sha256 IS NULL)`)
@Index('ix_attachments_parent', ['parentType', 'parentId', 'uploadedAt'])
export class AttachmentEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_attachments' })
  id: string;

  @Column({ name: 'parent_type', type: 'varchar', length: 20 })
  parentType: AttachmentParent;

  /** The opportunity's or activity's id (no foreign key: two parent tables). */
  @Column({ name: 'parent_id', type: 'uuid' })
  parentId: string;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName: string;

  /** From the bytes, never from what the client said. */
  @Column({ name: 'content_type', type: 'varchar', length: 100 })
  contentType: string;

  @Column({ name: 'size_bytes', type: 'bigint', default: 0 })
  sizeBytes: string;

  /** Hex SHA-256 of the whole file; null while the upload is still streaming in. */
  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Column({ name: 'uploaded_by', type: 'uuid' })
  uploadedBy: string;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'uploaded_by', foreignKeyConstraintName: 'fk_attachments_uploaded_by' })
  uploader?: UserEntity;

  @Column({ name: 'uploaded_at', type: 'timestamptz', default: () => 'now()' })
  uploadedAt: Date;

  /** Set when the last byte is in and the upload is audited; until then the row is invisible. */
  @Column({ name: 'stored_at', type: 'timestamptz', nullable: true })
  storedAt: Date | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @Column({ name: 'deleted_by', type: 'uuid', nullable: true })
  deletedBy: string | null;

  @ManyToOne(() => UserEntity, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'deleted_by', foreignKeyConstraintName: 'fk_attachments_deleted_by' })
  deleter?: UserEntity;
}

/** The bytes of an attachment in order, each at most CHUNK_BYTES. */
@Entity('attachment_chunks')
export class AttachmentChunkEntity {
  @PrimaryColumn({ name: 'attachment_id', type: 'uuid', primaryKeyConstraintName: 'PK_attachment_chunks' })
  attachmentId: string;

  @ManyToOne(() => AttachmentEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'attachment_id', foreignKeyConstraintName: 'fk_attachment_chunks_attachment' })
  attachment?: AttachmentEntity;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_attachment_chunks' })
  seq: number;

  @Column({ type: 'bytea' })
  data: Buffer;
}
