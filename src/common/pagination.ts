import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsOptional } from './http/optional';
import { DomainError } from './errors/domain-error';

/** Longest cursor the API writes (a customer name of 200 CJK characters as sort key fits with room). */
export const CURSOR_MAX_LENGTH = 1500;

/** The largest page of the lists that take PageQueryDto, and so their pages' maxItems. */
export const PAGE_LIMIT_MAX = 100;

/** Query parameters of every keyset-paginated list. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_LIMIT_MAX, default: 20, example: 20, type: 'integer' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_LIMIT_MAX)
  limit?: number;

  @ApiPropertyOptional({
    description: 'Opaque cursor from the previous page\'s nextCursor of the same list; any other value gives 400 INVALID_CURSOR',
    maxLength: CURSOR_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type CursorKey = (string | number | null)[];

const MAC_BYTES = 32;

function mac(key: Buffer, list: string, payload: string): Buffer {
  // The list's name is part of what is signed: a cursor of one list is refused by every other.
  return createHmac('sha256', key).update(list, 'utf8').update('\0').update(payload, 'utf8').digest();
}

/** payload.mac, both base64url: the sort key of the last row seen, signed so that it cannot be forged or altered. */
export function sealCursor(key: Buffer, list: string, values: readonly (string | number | null)[]): string {
  const payload = Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
  const cursor = `${payload}.${mac(key, list, payload).toString('base64url')}`;
  // The contract promises nextCursor within this length (and the list would refuse a longer one back).
  if (cursor.length > CURSOR_MAX_LENGTH) throw new Error(`cursor of ${list} is ${cursor.length} characters, over ${CURSOR_MAX_LENGTH}`);
  return cursor;
}

/**
 * The sort key a cursor carries, or undefined for no cursor. The server parses only what it
 * signed itself for this list; anything else is 400 INVALID_CURSOR.
 */
export function openCursor(key: Buffer, list: string, cursor: string | undefined, length: number): CursorKey | undefined {
  if (cursor === undefined) return undefined;
  const [payload, signature, ...rest] = cursor.split('.');
  if (rest.length === 0 && payload && signature && /^[A-Za-z0-9_-]+$/.test(payload) && /^[A-Za-z0-9_-]+$/.test(signature)) {
    const given = Buffer.from(signature, 'base64url');
    if (given.length === MAC_BYTES && timingSafeEqual(given, mac(key, list, payload))) {
      const values = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
      if (Array.isArray(values) && values.length === length && values.every((v) => v === null || ['string', 'number'].includes(typeof v))) {
        return values as CursorKey;
      }
    }
  }
  throw invalidCursor();
}

export function invalidCursor(detail = 'cursor is not one this list returned as nextCursor'): DomainError {
  return new DomainError('INVALID_CURSOR', detail, { errors: [{ field: 'cursor', message: 'cursor must be a value returned as nextCursor by the same list' }] });
}

/** Fetch limit + 1 rows; the extra row only tells whether there is a next page. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, nextCursor: (last: R) => string): Page<T> {
  const hasMore = rows.length > limit;
  const items = hasMore ? rows.slice(0, limit) : rows;
  return { items: items.map(map), nextCursor: hasMore ? nextCursor(items[items.length - 1]) : null };
}

/** The paginated lists' cursors, signed with a key derived from the service's JWT secret. */
export class Cursors {
  readonly #key: Buffer;

  constructor(secret: Buffer | string) {
    // A sub-key of its own: nothing signed as a cursor can pass for a token, and the reverse.
    this.#key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'crm-pagination-cursor-v1', 32));
  }

  /** `list` names the list (and anything else the cursor only makes sense with, e.g. its sort order). */
  decode(list: string, cursor: string | undefined, length: number): CursorKey | undefined {
    return openCursor(this.#key, list, cursor, length);
  }

  page<R, T>(list: string, rows: R[], limit: number, map: (row: R) => T, key: (row: R) => CursorKey): Page<T> {
    return toPage(rows, limit, map, (last) => sealCursor(this.#key, list, key(last)));
  }
}
