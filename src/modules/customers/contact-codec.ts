import { Injectable } from '@nestjs/common';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { ContactChanges } from './contacts.repository';
import { normalizeEmail, normalizeMobile, normalizeWechatId } from './customer.rules';

export interface ContactPiiInput {
  mobile?: string;
  email?: string;
  wechatId?: string;
}

/** Normalizes, encrypts and hashes a contact's personal data: the only place plaintext turns into columns. */
@Injectable()
export class ContactCodec {
  constructor(private readonly cipher: PiiCipher) {}

  /** Columns for the fields present in `input` (validated upstream, so normalization succeeds). */
  encode(input: ContactPiiInput): ContactChanges {
    const columns: ContactChanges = {};
    if (input.mobile !== undefined) {
      const mobile = normalizeMobile(input.mobile)!;
      columns.mobileEnc = this.cipher.encrypt(mobile);
      columns.mobileHash = this.cipher.lookupHash(mobile);
    }
    if (input.email !== undefined) {
      const email = normalizeEmail(input.email)!;
      columns.emailEnc = this.cipher.encrypt(email);
      columns.emailHash = this.cipher.lookupHash(email);
    }
    if (input.wechatId !== undefined) {
      const wechat = normalizeWechatId(input.wechatId)!;
      columns.wechatEnc = this.cipher.encrypt(wechat);
      columns.wechatHash = this.cipher.lookupHash(wechat);
    }
    return columns;
  }

  /** Lookup hashes of whatever numbers and addresses parse; the rest cannot match anything. */
  lookupHashes(mobiles: string[], emails: string[]): { mobileHashes: Buffer[]; emailHashes: Buffer[] } {
    const hash = (values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined).map((v) => this.cipher.lookupHash(v));
    return { mobileHashes: hash(mobiles.map(normalizeMobile)), emailHashes: hash(emails.map(normalizeEmail)) };
  }
}
