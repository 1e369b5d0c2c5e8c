import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import { Transactions } from '../../database/transactions';
import { AttachmentEntity, type AttachmentParent } from './attachment.entity';

type NewAttachment = Pick<AttachmentEntity, 'parentType' | 'parentId' | 'fileName' | 'contentType' | 'uploadedBy'>;

/**
 * Where one upload's bytes go: one pooled connection, taken when the first chunk is accepted and
 * held until `close`, so that an upload never goes back to the pool chunk after chunk (ten uploads
 * used to queue ~800 acquisitions against every other request). Chunks are written a batch per
 * statement, each statement committing by itself: no transaction stays open while the client sends.
 */
export class ChunkWriter {
  private seq = 0;

  private constructor(
    private readonly runner: QueryRunner,
    readonly attachmentId: string,
  ) {}

  /** Takes a connection and creates the attachment's row (invisible until `markStored`). */
  static async open(dataSource: DataSource, row: NewAttachment): Promise<ChunkWriter> {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [{ id }]: { id: string }[] = await runner.query(
        `INSERT INTO attachments (parent_type, parent_id, file_name, content_type, uploaded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [row.parentType, row.parentId, row.fileName, row.contentType, row.uploadedBy],
      );
      return new ChunkWriter(runner, id);
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
  }

  /** Appends the chunks in order, in one statement (each a bytea parameter, sent as binary). */
  async append(chunks: Buffer[]): Promise<void> {
    if (chunks.length === 0) return;
    const params: unknown[] = [this.attachmentId];
    const rows = chunks.map((chunk) => {
      params.push(this.seq++, chunk);
      return `($1, $${params.length - 1}::int, $${params.length}::bytea)`;
    });
    await this.runner.query(`INSERT INTO attachment_chunks (attachment_id, seq, data) VALUES ${rows.join(', ')}`, params);
  }

  /** A failed upload: its row and (by cascade) its chunks go; nothing of it was ever visible. */
  async discard(): Promise<void> {
    await this.runner.query(`DELETE FROM attachments WHERE id = $1 AND stored_at IS NULL`, [this.attachmentId]);
  }

  /** Gives the connection back to the pool. */
  async close(): Promise<void> {
    await this.runner.release();
  }
}

/** Attachments and their bytes. Chunks go in through a `ChunkWriter` and come out one statement each, outside any long transaction. */
@Injectable()
export class AttachmentsRepository {
  constructor(
    private readonly transactions: Transactions,
    private readonly dataSource: DataSource,
  ) {}

  private get repo() {
    return this.transactions.manager.getRepository(AttachmentEntity);
  }

  /** An upload that is streaming in: its row, and the connection its chunks go through. */
  openWriter(row: NewAttachment): Promise<ChunkWriter> {
    return ChunkWriter.open(this.dataSource, row);
  }

  /** An upload that failed after its bytes were in: its row and (by cascade) its chunks go; nothing of it was ever visible. */
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

  /**
   * Chunk `seq` of an attachment, or undefined past the last one: one short pooled statement (an
   * index lookup), the connection back in the pool before the bytes go to a client however slow.
   */
  async chunk(attachmentId: string, seq: number): Promise<Buffer | undefined> {
    const rows = await this.transactions.prepared<{ data: Buffer }>(`SELECT data FROM attachment_chunks WHERE attachment_id = $1 AND seq = $2`, [attachmentId, seq]);
    return rows[0]?.data;
  }

  /**
   * Removes uploads that never finished and were left behind by an instance that died mid-upload
   * (a live upload discards its own on failure): rows still without stored_at after `olderThanSeconds`,
   * with their chunks by cascade, a batch at a time. SKIP LOCKED: a row being finished right now is
   * left for the next run.
   */
  async removeAbandoned(olderThanSeconds: number, batch: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const [, affected]: [unknown, number] = await this.transactions.manager.query(
        `DELETE FROM attachments WHERE id IN (
           SELECT id FROM attachments WHERE stored_at IS NULL AND uploaded_at < now() - make_interval(secs => $1)
            LIMIT $2 FOR UPDATE SKIP LOCKED)`,
        [olderThanSeconds, batch],
      );
      removed += affected;
      if (affected < batch) return removed;
    }
  }
}
