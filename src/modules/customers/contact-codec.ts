import { Injectable } from '@nestjs/common';
import { PiiCipher, PiiPlace } from '../../common/crypto/pii-cipher';
import type { ContactChanges } from './contacts.repository';
import { normalizeEmail, normalizeMobile, normalizeWechatId } from './customer.rules';

export interface ContactPiiInput {
  mobile?: string;
  email?: string;
  wechatId?: string;
}

export const CONTACT_PII_FIELDS = ['mobile', 'email', 'wechatId'] as const;
export type ContactPiiField = (typeof CONTACT_PII_FIELDS)[number];

/** The column each field is stored in: with the table and the contact's id, what its ciphertext is bound to. */
export const CONTACT_PII_COLUMNS: Record<ContactPiiField, 'mobile_enc' | 'email_enc' | 'wechat_enc'> = {
  mobile: 'mobile_enc',
  email: 'email_enc',
  wechatId: 'wechat_enc',
};

export function contactPiiPlace(contactId: string, field: ContactPiiField): PiiPlace {
  return { table: 'contacts', column: CONTACT_PII_COLUMNS[field], rowId: contactId };
}

/** Normalizes, encrypts and hashes a contact's personal data: the only place plaintext turns into columns. */
@Injectable()
export class ContactCodec {
  constructor(private readonly cipher: PiiCipher) {}

  /**
   * Columns for the fields present in `input` (validated upstream, so normalization succeeds),
   * each value bound to the contact `contactId` (for a new contact, generate the id first).
   */
  encode(input: ContactPiiInput, contactId: string): ContactChanges {
    const columns: ContactChanges = {};
    if (input.mobile !== undefined) {
      const mobile = normalizeMobile(input.mobile)!;
      columns.mobileEnc = this.cipher.encrypt(mobile, contactPiiPlace(contactId, 'mobile'));
      columns.mobileHash = this.cipher.lookupHash(mobile);
    }
    if (input.email !== undefined) {
      const email = normalizeEmail(input.email)!;
      columns.emailEnc = this.cipher.encrypt(email, contactPiiPlace(contactId, 'email'));
      columns.emailHash = this.cipher.lookupHash(email);
    }
    if (input.wechatId !== undefined) {
      const wechat = normalizeWechatId(input.wechatId)!;
      columns.wechatEnc = this.cipher.encrypt(wechat, contactPiiPlace(contactId, 'wechatId'));
      columns.wechatHash = this.cipher.lookupHash(wechat);
    }
    return columns;
  }

  /**
   * Lookup hashes of whatever numbers and addresses parse; the rest cannot match anything. During
   * a key rotation, under both keys: rows not yet rewritten still carry the previous key's hash.
   */
  lookupHashes(mobiles: string[], emails: string[]): { mobileHashes: Buffer[]; emailHashes: Buffer[] } {
    const hash = (values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined).flatMap((v) => this.cipher.lookupHashes(v));
    return { mobileHashes: hash(mobiles.map(normalizeMobile)), emailHashes: hash(emails.map(normalizeEmail)) };
  }
}
