import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { AttachmentEntity, type AttachmentParent } from './attachment.entity';

/** Attachments and their bytes. Chunks are written and read one statement each, outside any long transaction. */
@Injectable()
export class AttachmentsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(AttachmentEntity);
  }

  /** A row for an upload that is streaming in (invisible until `markStored`). */
  async begin(row: Pick<AttachmentEntity, 'parentType' | 'parentId' | 'fileName' | 'contentType' | 'uploadedBy'>): Promise<string> {
    const saved = await this.repo.save(this.repo.create(row));
    return saved.id;
  }

  async appendChunk(attachmentId: string, seq: number, data: Buffer): Promise<void> {
    await this.transactions.manager.query(`INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES ($1, $2, $3)`, [attachmentId, seq, data]);
  }

  /** An upload that failed: its row and (by cascade) its chunks go; nothing of it was ever visible. */
  async discard(attachmentId: string): Promise<void> {
    await this.transactions.manager.query(`DELETE FROM attachments WHERE id = $1 AND stored_at IS NULL`, [attachmentId]);
  }

  async markStored(attachmentId: string, sizeBytes: number, sha256: string): Promise<AttachmentEntity> {
    await this.repo.update({ id: attachmentId }, { sizeBytes: String(sizeBytes), sha256, storedAt: () => 'now()' } as never);
    return (await this.repo.findOneBy({ id: attachmentId }))!;
  }

  /** A stored, not deleted attachment of this parent. */
  async find(parentType: AttachmentParent, parentId: string, id: string): Promise<AttachmentEntity | null> {
    return this.repo
      .createQueryBuilder('a')
      .where('a.id = :id AND a.parent_type = :parentType AND a.parent_id = :parentId AND a.stored_at IS NOT NULL AND a.deleted_at IS NULL', { id, parentType, parentId })
      .getOne();
  }

  /** The parent's stored, not deleted attachments, oldest first (at most `limit`). */
  list(parentType: AttachmentParent, parentId: string, limit: number): Promise<AttachmentEntity[]> {
    return this.repo
      .createQueryBuilder('a')
      .where('a.parent_type = :parentType AND a.parent_id = :parentId AND a.stored_at IS NOT NULL AND a.deleted_at IS NULL', { parentType, parentId })
      .orderBy('a.uploaded_at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  async countLive(parentType: AttachmentParent, parentId: string): Promise<number> {
    const [row]: { n: number }[] = await this.transactions.manager.query(
      `SELECT count(*)::int AS n FROM attachments WHERE parent_type = $1 AND parent_id = $2 AND deleted_at IS NULL`,
      [parentType, parentId],
    );
    return row.n;
  }

  /** Soft delete; false when it was deleted meanwhile. */
  async softDelete(id: string, deletedBy: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.transactions.manager.query(
      `UPDATE attachments SET deleted_at = now(), deleted_by = $2 WHERE id = $1 AND deleted_at IS NULL`,
      [id, deletedBy],
    );
    return affected > 0;
  }

  /** Chunk `seq` of an attachment, or undefined past the last one. */
  async chunk(attachmentId: string, seq: number): Promise<Buffer | undefined> {
    const rows: { data: Buffer }[] = await this.transactions.manager.query(`SELECT data FROM attachment_chunks WHERE attachment_id = $1 AND seq = $2`, [attachmentId, seq]);
    return rows[0]?.data;
  }
}
