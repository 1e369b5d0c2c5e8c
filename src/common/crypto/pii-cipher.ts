import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, KeyObject, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_LENGTH = 12; // the size GCM is specified for; other sizes cost an extra GHASH and weaken the bound
const TAG_LENGTH = 16;
const KEY_LENGTH = 32;
const DATA_KEY = /^[0-9a-fA-F]{64}$/;
/** `<key id: 8 hex>:<base64 of iv || tag || ciphertext>`; a value without the prefix is of the first, unbound format. */
const PAYLOAD = /^([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})$/;

export function isValidDataKey(hexKey: string): boolean {
  return DATA_KEY.test(hexKey);
}

/** Where a value is stored: it is bound to exactly this place (the AES-GCM additional data). */
export interface PiiPlace {
  table: string;
  column: string;
  rowId: string;
}

/** Why a stored value could not be read: never the value, never the key. */
export class PiiUnreadableError extends Error {
  constructor(reason: string) {
    super(`personal data cannot be decrypted: ${reason}`);
  }
}

// Separate sub-keys, so that the deterministic lookup hash, which is stored beside the ciphertext
// and indexed, reveals nothing about the key that protects the values themselves; and the key id,
// which is stored in clear in front of every value, reveals nothing about either.
function deriveKey(master: Buffer, purpose: string, length = KEY_LENGTH): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), purpose, length));
}

class DataKey {
  readonly id: string;
  /** A KeyObject: createCipheriv/createDecipheriv then skip importing raw key bytes on every value. */
  readonly #encryptionKey: KeyObject;
  readonly #lookupKey: Buffer;

  constructor(hexKey: string, variable: string) {
    if (!isValidDataKey(hexKey)) throw new Error(`${variable} must be 64 hexadecimal characters (32 bytes)`);
    const master = Buffer.from(hexKey, 'hex');
    this.#encryptionKey = createSecretKey(deriveKey(master, 'crm-pii-encryption'));
    this.#lookupKey = deriveKey(master, 'crm-pii-lookup');
    this.id = deriveKey(master, 'crm-pii-key-id', 4).toString('hex');
  }

  seal(plaintext: string, aad: Buffer | undefined): Buffer {
    const iv = randomBytes(IV_LENGTH);
    const cipher = createCipheriv(ALGORITHM, this.#encryptionKey, iv, { authTagLength: TAG_LENGTH });
    if (aad) cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
  }

  open(bytes: Buffer, aad: Buffer | undefined): string {
    if (bytes.length < IV_LENGTH + TAG_LENGTH) throw new PiiUnreadableError('the payload is too short');
    const decipher = createDecipheriv(ALGORITHM, this.#encryptionKey, bytes.subarray(0, IV_LENGTH), { authTagLength: TAG_LENGTH });
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(bytes.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
    try {
      return decipher.update(bytes.subarray(IV_LENGTH + TAG_LENGTH), undefined, 'utf8') + decipher.final('utf8');
    } catch {
      throw new PiiUnreadableError('it does not belong to this place, or it was altered');
    }
  }

  lookupHash(normalizedValue: string): Buffer {
    return createHmac('sha256', this.#lookupKey).update(normalizedValue, 'utf8').digest();
  }
}

/** The additional data that binds a value to its place; JSON keeps the three parts apart unambiguously. */
function additionalData(place: PiiPlace): Buffer {
  return Buffer.from(JSON.stringify(['crm-pii-v1', place.table, place.column, place.rowId]), 'utf8');
}

/**
 * Field-level encryption of personal data (phone numbers, e-mail addresses, WeChat ids).
 *
 * Each value is bound to its table, column and row (AES-GCM additional data), so a ciphertext
 * copied to another row or column no longer decrypts, and carries the id of the key that sealed it.
 * During a key rotation the previous key still opens what it sealed (chosen by the id), and
 * lookups match hashes made under either key.
 */
export class PiiCipher {
  // Private fields are left out of util.inspect and JSON, so the keys cannot leak through logging.
  readonly #current: DataKey;
  readonly #previous: DataKey | undefined;

  /** keys: 32 bytes given as 64 hex characters. Throws an Error if malformed. */
  constructor(hexKey: string, previousHexKey?: string) {
    this.#current = new DataKey(hexKey, 'PII data key');
    this.#previous = previousHexKey === undefined ? undefined : new DataKey(previousHexKey, 'previous PII data key');
    if (this.#previous && this.#previous.id === this.#current.id) this.#previous = undefined;
  }

  /** The id written in front of every value the current key seals. */
  get keyId(): string {
    return this.#current.id;
  }

  /** AES-256-GCM with a random 12-byte IV, bound to `place`: `<key id>:<base64 of iv(12) || tag(16) || ciphertext>`. */
  encrypt(plaintext: string, place: PiiPlace): string {
    return `${this.#current.id}:${this.#current.seal(plaintext, additionalData(place)).toString('base64')}`;
  }

  /**
   * Opens a value stored at `place`, with whichever key its id names. Values of the first format
   * (no key id, not bound to a place) are still read until the rotation script has rewritten them.
   * Throws PiiUnreadableError if the value is malformed, altered, sealed for another place or under an unknown key.
   */
  decrypt(payload: string, place: PiiPlace): string {
    const match = PAYLOAD.exec(payload);
    if (!match) return this.decryptUnbound(payload);
    const key = this.#current.id === match[1] ? this.#current : this.#previous?.id === match[1] ? this.#previous : undefined;
    if (!key) throw new PiiUnreadableError(`it was sealed under key ${match[1]}, which is not configured`);
    return key.open(Buffer.from(match[2], 'base64'), additionalData(place));
  }

  /** Whether a stored value should be rewritten: sealed under another key, or of the first format. */
  needsReencryption(payload: string): boolean {
    return !payload.startsWith(`${this.#current.id}:`);
  }

  /** HMAC-SHA-256 of the (already normalized) value under the current key, for the unique indexes. */
  lookupHash(normalizedValue: string): Buffer {
    return this.#current.lookupHash(normalizedValue);
  }

  /** The hashes a stored value may carry while a rotation is under way: the current key's, then the previous key's. */
  lookupHashes(normalizedValue: string): Buffer[] {
    return [this.#current, this.#previous].filter((k): k is DataKey => k !== undefined).map((k) => k.lookupHash(normalizedValue));
  }

  private decryptUnbound(payload: string): string {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(payload)) throw new PiiUnreadableError('the payload is malformed');
    const bytes = Buffer.from(payload, 'base64');
    for (const key of [this.#current, this.#previous]) {
      if (!key) continue;
      try {
        return key.open(bytes, undefined);
      } catch {
        // try the other key
      }
    }
    throw new PiiUnreadableError('no configured key opens it');
  }
}
