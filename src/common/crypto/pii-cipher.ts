import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_LENGTH = 12; // the size GCM is specified for; other sizes cost an extra GHASH and weaken the bound
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;
const DATA_KEY = /^[0-9a-fA-F]{64}$/;

export function isValidDataKey(hexKey: string): boolean {
  return DATA_KEY.test(hexKey);
}

// Separate sub-keys, so that the deterministic lookup hash, which is stored beside the ciphertext
// and indexed, reveals nothing about the key that protects the values themselves.
function deriveKey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, KEY_LENGTH));
}

/** Field-level encryption of personal data (phone numbers, e-mail addresses, WeChat ids). */
export class PiiCipher {
  // Private fields are left out of util.inspect and JSON, so the keys cannot leak through logging.
  readonly #encryptionKey: Buffer;
  readonly #lookupKey: Buffer;

  /** key: 32 bytes given as 64 hex characters. Throws an Error if malformed. */
  constructor(hexKey: string) {
    if (!isValidDataKey(hexKey)) throw new Error('PII data key must be 64 hexadecimal characters (32 bytes)');
    const master = Buffer.from(hexKey, 'hex');
    this.#encryptionKey = deriveKey(master, 'crm-pii-encryption');
    this.#lookupKey = deriveKey(master, 'crm-pii-lookup');
  }

  /** AES-256-GCM with a random 12-byte IV; returns base64 of iv(12) || tag(16) || ciphertext. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv(ALGORITHM, this.#encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
  }

  /** Throws if the payload is malformed or has been tampered with. */
  decrypt(payload: string): string {
    const bytes = Buffer.from(payload, 'base64');
    if (bytes.length < IV_LENGTH + TAG_LENGTH) throw new Error('PII payload is too short');
    const decipher = createDecipheriv(ALGORITHM, this.#encryptionKey, bytes.subarray(0, IV_LENGTH), {
      authTagLength: TAG_LENGTH,
    });
    decipher.setAuthTag(bytes.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
    return Buffer.concat([decipher.update(bytes.subarray(IV_LENGTH + TAG_LENGTH)), decipher.final()]).toString('utf8');
  }

  /** HMAC-SHA-256 of the (already normalized) value, for exact-match lookup and unique indexes. */
  lookupHash(normalizedValue: string): Buffer {
    return createHmac('sha256', this.#lookupKey).update(normalizedValue, 'utf8').digest();
  }
}
