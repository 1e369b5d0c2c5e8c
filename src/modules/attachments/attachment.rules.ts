/** Pure rules of attachments: which files are accepted, and how their names travel. */

/** Bytes per stored chunk: small enough to stream with flat memory, large enough to keep rows few. */
export const CHUNK_BYTES = 256 * 1024;

/**
 * Chunks an upload writes per statement (1 MB): a 20 MB file is 20 statements instead of 80, and an
 * upload holds at most this much of its file in memory.
 */
export const CHUNKS_PER_STATEMENT = 4;

/**
 * An upload still unfinished this long after it began was left by an instance that died mid-upload
 * (a live one finishes or discards itself long before: 20 MB take seconds, a queued upload gives up
 * after ATTACHMENT_UPLOAD_QUEUE_WAIT_MS, at most 10 minutes); the hourly job removes it with its
 * chunks. A client trickling one file for over an hour loses it to the job (its next chunk fails).
 */
export const ABANDONED_UPLOAD_SECONDS = 60 * 60;

/** Types accepted, as file-type names them from the bytes: images, PDF, Office documents (OOXML, and the older OLE ones). */
const ACCEPTED_BY_SIGNATURE = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/bmp',
  'image/tiff',
  'image/heic',
  'image/heif',
  'image/avif',
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/x-cfb',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
]);

/**
 * The content type a file is kept and served with, from its first bytes, or undefined when it is
 * not accepted (415). `detected` is file-type's answer (undefined when it knows no signature): a
 * file without one is accepted only as UTF-8 text without control characters — plain text, or CSV
 * when its name says so.
 */
export function acceptedContentType(detected: string | undefined, head: Buffer, fileName: string): string | undefined {
  if (detected !== undefined) return ACCEPTED_BY_SIGNATURE.has(detected) ? detected : undefined;
  if (!looksLikeText(head)) return undefined;
  return /\.csv$/i.test(fileName) ? 'text/csv; charset=utf-8' : 'text/plain; charset=utf-8';
}

/** UTF-8 (a character cut at the end of the head is allowed) with no control characters but tab, CR, LF and form feed. */
export function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  for (const byte of head) if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) || byte === 0x7f) return false;
  // Drop an incomplete character at the cut, then require valid UTF-8.
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = head[end - back];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back) end -= back;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

/** A file name as kept: the last path segment, control characters dropped, at most 255 characters; "file" when nothing is left. */
export function cleanFileName(name: string | undefined): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = Array.from(last.replace(/[\u0000-\u001f\u007f"]/g, '').trim()).slice(0, 255).join('');
  return clean.length > 0 && clean !== '.' && clean !== '..' ? clean : 'file';
}

/**
 * Content-Disposition carrying the original name (RFC 6266 with RFC 5987 encoding): an ASCII
 * fallback for old clients, and filename* in UTF-8 for everyone else (Chinese names intact).
 */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Who may delete an attachment (soft): its uploader, a manager of the parent's department, an admin. */
export function mayDeleteAttachment(caller: { id: string; role: string; departmentId: string }, attachment: { uploadedBy: string }, parentDepartmentId: string): boolean {
  if (attachment.uploadedBy === caller.id || caller.role === 'admin') return true;
  return caller.role === 'manager' && caller.departmentId === parentDepartmentId;
}
