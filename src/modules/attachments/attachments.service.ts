import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../../config/config.provider';
import type { AppConfig } from '../../config/config';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError, forbidden, notFound } from '../../common/errors/domain-error';
import { endWhenIdle } from '../../common/http/idle-stream';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { AttachmentEntity, type AttachmentParent } from './attachment.entity';
import { ABANDONED_UPLOAD_SECONDS, acceptedContentType, CHUNK_BYTES, CHUNKS_PER_STATEMENT, cleanFileName, contentDisposition, mayDeleteAttachment } from './attachment.rules';
import { AttachmentsRepository, type ChunkWriter } from './attachments.repository';
import { UploadSlots } from './upload-slots';
import { AttachmentDto, ATTACHMENTS_PER_PARENT } from './dto/attachment.dto';

/**
 * How the attachments module reaches a parent without knowing its module: the parent's module
 * registers this at start-up. `require` answers the parent's department when the caller may do
 * `action` on it, and throws the parent's 404 (or 403) otherwise.
 */
export interface AttachmentParentAccess {
  require(caller: AuthUser, parentId: string, action: 'read' | 'change'): Promise<{ departmentId: string }>;
}

export interface AttachmentDownload {
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  contentDisposition: string;
  body: Readable;
}

/** file-type is ESM-only: loaded once, by dynamic import (this build is CommonJS). */
let fileTypeModule: Promise<typeof import('file-type')> | undefined;
const fileType = () => (fileTypeModule ??= import('file-type'));

function toDto(a: AttachmentEntity): AttachmentDto {
  return {
    id: a.id,
    parentType: a.parentType,
    parentId: a.parentId,
    fileName: a.fileName,
    contentType: a.contentType,
    sizeBytes: Number(a.sizeBytes),
    sha256: a.sha256!,
    uploadedBy: a.uploadedBy,
    uploadedAt: a.uploadedAt.toISOString(),
  };
}

/**
 * Files of opportunities and activities (photos, feedback summaries), kept in PostgreSQL in chunks
 * and streamed in and out, so memory stays flat whatever the size and every instance serves them.
 */
@Injectable()
export class AttachmentsService {
  private readonly parents = new Map<AttachmentParent, AttachmentParentAccess>();

  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly slots: UploadSlots,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  registerParent(kind: AttachmentParent, access: AttachmentParentAccess): void {
    this.parents.set(kind, access);
  }

  /**
   * Streams the one file part in, hashing as it goes; the type comes from the first bytes (415
   * otherwise), the size is capped by the multipart limit (413). While the bytes come in the upload
   * holds an upload slot (UploadSlots: a few per instance, 503 BUSY past them, before the body is
   * read) and one connection of its own (ChunkWriter), written a batch of chunks per statement; the
   * connection goes back before the upload becomes visible, audited, in one transaction at the end.
   */
  async upload(caller: AuthUser, kind: AttachmentParent, parentId: string, request: FastifyRequest): Promise<AttachmentDto> {
    if (!request.isMultipart()) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data with one part named file');
    // Whoever may not attach here is refused before taking a place among the uploads.
    await this.parent(kind).require(caller, parentId, 'change');
    if ((await this.attachments.countLive(kind, parentId)) >= ATTACHMENTS_PER_PARENT) {
      throw new DomainError('LIMIT_REACHED', `A record keeps at most ${ATTACHMENTS_PER_PARENT} attachments`);
    }
    // The slot is held to the end, final transaction included: an upload holds one connection at a
    // time (its writer's, then the transaction's), so uploads never hold more than the slots' number.
    const release = await this.slots.take();
    try {
      const stored = await this.receive(caller, kind, parentId, request);
      return await this.transactions.run(async () => {
        // The parent may have gone out of reach while the bytes came in.
        try {
          await this.parent(kind).require(caller, parentId, 'change');
        } catch (error) {
          await this.attachments.discard(stored.id);
          throw error;
        }
        const attachment = await this.attachments.markStored(stored.id, stored.size, stored.sha256);
        const dto = toDto(attachment);
        await this.audit.record({ action: 'attachment.upload', entityType: 'attachment', entityId: stored.id, after: { ...dto } });
        return dto;
      });
    } finally {
      release();
    }
  }

  /** The file part's bytes into the store, CHUNK_BYTES a row, CHUNKS_PER_STATEMENT rows a statement; on failure nothing is left. */
  private async receive(caller: AuthUser, kind: AttachmentParent, parentId: string, request: FastifyRequest): Promise<{ id: string; size: number; sha256: string }> {
    const part = await request.file();
    if (!part) throw new DomainError('VALIDATION_FAILED', 'A file part is required', { errors: [{ field: 'file', message: 'file is required' }] });
    const fileName = cleanFileName(part.filename);
    const hash = createHash('sha256');
    let writer: ChunkWriter | undefined;
    let size = 0;
    let batch: Buffer[] = [];
    const store = async (chunk: Buffer) => {
      if (writer === undefined) {
        const { fileTypeFromBuffer } = await fileType();
        const contentType = acceptedContentType((await fileTypeFromBuffer(chunk))?.mime, chunk, fileName);
        if (!contentType) {
          throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Accepted are images, PDF, Office documents, plain text and CSV, recognised from their content');
        }
        writer = await this.attachments.openWriter({ parentType: kind, parentId, fileName, contentType, uploadedBy: caller.id });
      }
      hash.update(chunk);
      size += chunk.length;
      batch.push(chunk);
      if (batch.length >= CHUNKS_PER_STATEMENT) await flush();
    };
    const flush = async () => {
      const chunks = batch;
      batch = [];
      await writer!.append(chunks);
    };
    try {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      for await (const data of part.file as AsyncIterable<Buffer>) {
        pending.push(data);
        pendingBytes += data.length;
        while (pendingBytes >= CHUNK_BYTES) {
          const all = pending.length === 1 ? pending[0] : Buffer.concat(pending);
          pending = all.length > CHUNK_BYTES ? [all.subarray(CHUNK_BYTES)] : [];
          pendingBytes = all.length - CHUNK_BYTES;
          await store(all.subarray(0, CHUNK_BYTES));
        }
      }
      if (part.file.truncated) throw this.tooLarge();
      if (pendingBytes > 0 || writer === undefined) await store(Buffer.concat(pending));
      await flush();
    } catch (error) {
      // Whatever the failure, the row and its chunks go (should even that fail, the abandoned-uploads job removes them).
      await writer?.discard().catch(() => undefined);
      await writer?.close().catch(() => undefined);
      // The rest of the part is read and dropped, so that the connection can answer and carry the next request.
      part.file.resume();
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw this.tooLarge();
      throw error;
    }
    const done = writer as ChunkWriter;
    await done.close();
    return { id: done.attachmentId, size, sha256: hash.digest('hex') };
  }

  /** Hourly, once across instances: uploads left unfinished by an instance that died mid-upload. */
  removeAbandonedUploads(): Promise<number> {
    return this.attachments.removeAbandoned(ABANDONED_UPLOAD_SECONDS, 100);
  }

  async list(caller: AuthUser, kind: AttachmentParent, parentId: string): Promise<AttachmentDto[]> {
    await this.parent(kind).require(caller, parentId, 'read');
    return (await this.attachments.list(kind, parentId, ATTACHMENTS_PER_PARENT)).map(toDto);
  }

  /**
   * Streams the file to whoever may see the parent; the download is audited (committed) before the
   * first byte, as a read: queued for the chain (AuditService.recordRead), so concurrent downloads do
   * not wait in turn for the chain's lock.
   */
  async download(caller: AuthUser, kind: AttachmentParent, parentId: string, attachmentId: string): Promise<AttachmentDownload> {
    const attachment = await this.transactions.run(async () => {
      await this.parent(kind).require(caller, parentId, 'read');
      const found = await this.attachments.find(kind, parentId, attachmentId);
      if (!found) throw notFound('Attachment');
      await this.audit.recordRead({
        action: 'attachment.download',
        entityType: 'attachment',
        entityId: found.id,
        after: { parentType: kind, parentId, fileName: found.fileName, sha256: found.sha256 },
      });
      return found;
    });
    const chunks = this.attachments;
    async function* bytes() {
      for (let seq = 0; ; seq++) {
        const data = await chunks.chunk(attachment.id, seq);
        if (!data) return;
        yield data;
      }
    }
    return {
      fileName: attachment.fileName,
      contentType: attachment.contentType,
      sizeBytes: Number(attachment.sizeBytes),
      sha256: attachment.sha256!,
      contentDisposition: contentDisposition(attachment.fileName),
      // A client that stops reading is cut off after EXPORT_IDLE_TIMEOUT_MS: it holds no connection
      // (each chunk is fetched when asked for), but it would hold the socket, and the instance's close, forever.
      body: endWhenIdle(Readable.from(bytes(), { objectMode: false, highWaterMark: 1 }), this.config.exportIdleTimeoutMs),
    };
  }

  /** Soft delete, by the uploader, a manager of the parent's department or an admin; audited. */
  remove(caller: AuthUser, kind: AttachmentParent, parentId: string, attachmentId: string): Promise<void> {
    return this.transactions.run(async () => {
      const parent = await this.parent(kind).require(caller, parentId, 'read');
      const found = await this.attachments.find(kind, parentId, attachmentId);
      if (!found) throw notFound('Attachment');
      if (!mayDeleteAttachment(caller, found, parent.departmentId)) throw forbidden('Only the uploader, a manager of the department or an admin may delete an attachment');
      if (!(await this.attachments.softDelete(found.id, caller.id))) throw notFound('Attachment');
      await this.audit.record({
        action: 'attachment.delete',
        entityType: 'attachment',
        entityId: found.id,
        before: { deletedAt: null },
        after: { deletedAt: new Date().toISOString(), parentType: kind, parentId, fileName: found.fileName, sha256: found.sha256 },
      });
    });
  }

  private tooLarge(): DomainError {
    return new DomainError('PAYLOAD_TOO_LARGE', `An attachment is at most ${this.config.attachmentMaxBytes} bytes (ATTACHMENT_MAX_BYTES)`);
  }

  private parent(kind: AttachmentParent): AttachmentParentAccess {
    const access = this.parents.get(kind);
    if (!access) throw new Error(`no attachment parent registered for ${kind}`);
    return access;
  }
}

