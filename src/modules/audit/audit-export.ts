import { pipeline, Readable, Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyReply } from 'fastify';
import { spreadsheetSafe } from '../../common/http/spreadsheet';
import type { ExportFormat } from './audit-log.rules';
import type { AuditLogRow } from './audit.repository';
import type { AuditLogEntryDto } from './dto/audit-log.dto';

export function toAuditLogEntryDto(row: AuditLogRow): AuditLogEntryDto {
  return {
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    actorId: row.actorId,
    actorName: row.actorName,
    actorRole: row.actorRole,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    changedFields: row.changedFields,
    before: row.before,
    after: row.after,
    reason: row.reason,
    requestId: row.requestId,
    ip: row.ip,
    userAgent: row.userAgent,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/** The CSV columns, in order; before and after are JSON, changedFields separated by semicolons. */
export const CSV_COLUMNS = [
  'id',
  'occurredAt',
  'actorId',
  'actorName',
  'actorRole',
  'action',
  'entityType',
  'entityId',
  'changedFields',
  'before',
  'after',
  'reason',
  'requestId',
  'ip',
  'userAgent',
  'prevHash',
  'hash',
] as const;

export function toCsvRecord(entry: AuditLogEntryDto): string[] {
  const cell = (value: string | null) => (value === null ? '' : spreadsheetSafe(value));
  const json = (value: Record<string, unknown> | null) => (value === null ? '' : JSON.stringify(value));
  return [
    entry.id,
    entry.occurredAt,
    cell(entry.actorId),
    cell(entry.actorName),
    cell(entry.actorRole),
    cell(entry.action),
    cell(entry.entityType),
    cell(entry.entityId),
    entry.changedFields.join(';'),
    json(entry.before),
    json(entry.after),
    cell(entry.reason),
    cell(entry.requestId),
    cell(entry.ip),
    cell(entry.userAgent),
    entry.prevHash,
    entry.hash,
  ];
}

export interface AuditDownload {
  contentType: string;
  filename: string;
  body: Readable;
}

const ignore = () => undefined;

/**
 * Rows in, bytes out, with back-pressure all the way: the database cursor is read only as fast as
 * the client takes the bytes. Destroying the returned stream (the client went away) destroys every
 * stage, which closes the cursor and returns the connection.
 */
export function exportBody(rows: Readable, format: ExportFormat): Readable {
  if (format === 'ndjson') {
    const lines = new Transform({
      writableObjectMode: true,
      transform(row: AuditLogRow, _encoding, done) {
        done(null, `${JSON.stringify(toAuditLogEntryDto(row))}\n`);
      },
    });
    return pipeline(rows, lines, ignore);
  }
  const records = new Transform({
    objectMode: true,
    transform(row: AuditLogRow, _encoding, done) {
      done(null, toCsvRecord(toAuditLogEntryDto(row)));
    },
  });
  // A BOM, so that spreadsheet programs read the file as UTF-8 (names are often Chinese).
  const csv = stringify({ bom: true, header: true, columns: [...CSV_COLUMNS] });
  return pipeline(rows, records, csv, ignore);
}

export function downloadOf(rows: Readable, format: ExportFormat, at: Date): AuditDownload {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return {
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    filename: `audit-log-${stamp}.${format}`,
    body: exportBody(rows, format),
  };
}

/** Streams a download into the reply; Fastify destroys the body if the client disconnects. */
export function sendDownload(reply: FastifyReply, download: AuditDownload): FastifyReply {
  return reply
    .type(download.contentType)
    .header('content-disposition', `attachment; filename="${download.filename}"`)
    .header('cache-control', 'no-store')
    .send(download.body);
}
