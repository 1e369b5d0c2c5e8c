import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { isValidDataKey, PiiCipher, PiiPlace, PiiUnreadableError } from './pii-cipher';

const KEY_A = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const KEY_B = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';
const HERE: PiiPlace = { table: 'contacts', column: 'mobile_enc', rowId: '0b6f7a3e-2d4c-4f8e-9a51-3c2d1e0f9a87' };

const bodyOf = (payload: string) => Buffer.from(payload.split(':')[1], 'base64');
const withBody = (payload: string, body: Buffer) => `${payload.split(':')[0]}:${body.toString('base64')}`;
const flipByte = (payload: string, index: number): string => {
  const bytes = bodyOf(payload);
  bytes[index] ^= 0x01;
  return withBody(payload, bytes);
};

/** A value as the first format stored it: base64 of iv || tag || ciphertext, no key id, no additional data. */
function unboundPayload(hexKey: string, plaintext: string): string {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(hexKey, 'hex'), Buffer.alloc(0), 'crm-pii-encryption', 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

describe('PiiCipher', () => {
  const cipher = new PiiCipher(KEY_A);

  it.each(['+8613800138000', 'zhang.san@example.com', '张三 · 华为技术有限公司', ''])('round-trips %p', (value) => {
    expect(cipher.decrypt(cipher.encrypt(value, HERE), HERE)).toBe(value);
  });

  it('lays out the payload as <key id>:base64(iv(12) || tag(16) || ciphertext)', () => {
    const payload = cipher.encrypt('abc', HERE);
    expect(payload).toMatch(/^[0-9a-f]{8}:[A-Za-z0-9+/]+=*$/);
    expect(payload.startsWith(`${cipher.keyId}:`)).toBe(true);
    expect(bodyOf(cipher.encrypt('', HERE))).toHaveLength(28);
    expect(bodyOf(payload)).toHaveLength(31);
  });

  it('names each key by an id that depends on the key only', () => {
    expect(new PiiCipher(KEY_A.toUpperCase()).keyId).toBe(cipher.keyId);
    expect(new PiiCipher(KEY_B).keyId).not.toBe(cipher.keyId);
    expect(KEY_A).not.toContain(cipher.keyId);
  });

  it('encrypts the same value differently each time', () => {
    expect(cipher.encrypt('+8613800138000', HERE)).not.toBe(cipher.encrypt('+8613800138000', HERE));
  });

  it.each([
    ['another row', { ...HERE, rowId: '1c7e8b4f-3e5d-4a9f-8b62-4d3e2f1a0b98' }],
    ['another column', { ...HERE, column: 'email_enc' }],
    ['another table', { ...HERE, table: 'users' }],
  ])('refuses a value copied to %s', (_where, elsewhere) => {
    const payload = cipher.encrypt('+8613800138000', HERE);
    expect(() => cipher.decrypt(payload, elsewhere)).toThrow(PiiUnreadableError);
  });

  it('keeps the parts of the place apart (no ambiguity from joining them)', () => {
    const payload = cipher.encrypt('x', { table: 'contacts', column: 'a', rowId: 'b:c' });
    expect(() => cipher.decrypt(payload, { table: 'contacts', column: 'a:b', rowId: 'c' })).toThrow(PiiUnreadableError);
  });

  it.each([
    ['iv', 0],
    ['tag', 12],
    ['ciphertext', 28],
  ])('rejects a payload with a flipped %s byte', (_part, index) => {
    const payload = cipher.encrypt('+8613800138000', HERE);
    expect(() => cipher.decrypt(flipByte(payload, index), HERE)).toThrow(PiiUnreadableError);
  });

  it('rejects a payload that is too short or malformed', () => {
    expect(() => cipher.decrypt(`${cipher.keyId}:${Buffer.alloc(27).toString('base64')}`, HERE)).toThrow(PiiUnreadableError);
    expect(() => cipher.decrypt('not base64 at all!', HERE)).toThrow(PiiUnreadableError);
  });

  it('cannot decrypt with another key, and says the key is unknown', () => {
    expect(() => new PiiCipher(KEY_B).decrypt(cipher.encrypt('secret', HERE), HERE)).toThrow(/not configured/);
  });

  it('decrypts with a new instance built from the same key', () => {
    expect(new PiiCipher(KEY_A.toUpperCase()).decrypt(cipher.encrypt('李四', HERE), HERE)).toBe('李四');
  });
});

describe('PiiCipher during a key rotation', () => {
  const before = new PiiCipher(KEY_A);
  const during = new PiiCipher(KEY_B, KEY_A);
  const after = new PiiCipher(KEY_B);

  it('seals new values under the new key and opens values of both keys by their id', () => {
    const old = before.encrypt('+8613800138000', HERE);
    const fresh = during.encrypt('+8613900139000', HERE);
    expect(fresh.startsWith(`${after.keyId}:`)).toBe(true);
    expect(during.decrypt(old, HERE)).toBe('+8613800138000');
    expect(during.decrypt(fresh, HERE)).toBe('+8613900139000');
    expect(after.decrypt(fresh, HERE)).toBe('+8613900139000');
    expect(() => after.decrypt(old, HERE)).toThrow(PiiUnreadableError);
  });

  it('marks for rewriting what the current key did not seal', () => {
    expect(during.needsReencryption(before.encrypt('a', HERE))).toBe(true);
    expect(during.needsReencryption(during.encrypt('a', HERE))).toBe(false);
    expect(during.needsReencryption(unboundPayload(KEY_A, 'a'))).toBe(true);
  });

  it('matches lookups under either key, the current one first', () => {
    const hashes = during.lookupHashes('+8613800138000');
    expect(hashes).toHaveLength(2);
    expect(hashes[0].equals(after.lookupHash('+8613800138000'))).toBe(true);
    expect(hashes[1].equals(before.lookupHash('+8613800138000'))).toBe(true);
    expect(before.lookupHashes('+8613800138000')).toHaveLength(1);
  });

  it('ignores a previous key equal to the current one', () => {
    expect(new PiiCipher(KEY_A, KEY_A).lookupHashes('x')).toHaveLength(1);
  });
});

describe('PiiCipher and values of the first format', () => {
  it('reads values stored without key id or place, under the current or the previous key', () => {
    expect(new PiiCipher(KEY_A).decrypt(unboundPayload(KEY_A, '+8613800138000'), HERE)).toBe('+8613800138000');
    expect(new PiiCipher(KEY_B, KEY_A).decrypt(unboundPayload(KEY_A, 'a@b.cn'), HERE)).toBe('a@b.cn');
    expect(() => new PiiCipher(KEY_B).decrypt(unboundPayload(KEY_A, 'a@b.cn'), HERE)).toThrow(PiiUnreadableError);
  });
});

describe('PiiCipher.lookupHash', () => {
  const cipher = new PiiCipher(KEY_A);

  it('is a deterministic 32-byte digest', () => {
    const hash = cipher.lookupHash('+8613800138000');
    expect(hash).toHaveLength(32);
    expect(hash.equals(new PiiCipher(KEY_A).lookupHash('+8613800138000'))).toBe(true);
  });

  it('differs between values', () => {
    expect(cipher.lookupHash('+8613800138000').equals(cipher.lookupHash('+8613800138001'))).toBe(false);
  });

  it('differs between keys', () => {
    expect(cipher.lookupHash('+8613800138000').equals(new PiiCipher(KEY_B).lookupHash('+8613800138000'))).toBe(false);
  });

  it('does not key the HMAC with the master key itself', () => {
    const withMaster = createHmac('sha256', Buffer.from(KEY_A, 'hex')).update('+8613800138000').digest();
    expect(cipher.lookupHash('+8613800138000').equals(withMaster)).toBe(false);
  });
});

describe('data key validation', () => {
  it('accepts 64 hex characters in either case', () => {
    expect(isValidDataKey(KEY_A)).toBe(true);
    expect(isValidDataKey(KEY_A.toUpperCase())).toBe(true);
  });

  it('rejects wrong lengths and non-hex characters', () => {
    expect(isValidDataKey(KEY_A.slice(1))).toBe(false);
    expect(isValidDataKey(`${KEY_A}0`)).toBe(false);
    expect(isValidDataKey(`${KEY_A.slice(1)}g`)).toBe(false);
    expect(isValidDataKey('')).toBe(false);
  });

  it('makes the constructor throw for a 63-character key, current or previous', () => {
    expect(() => new PiiCipher(KEY_A.slice(1))).toThrow(Error);
    expect(() => new PiiCipher(KEY_A, KEY_B.slice(1))).toThrow(/previous/);
  });

  it('makes the constructor throw for a non-hex key', () => {
    expect(() => new PiiCipher(`${KEY_A.slice(1)}z`)).toThrow(Error);
    expect(() => new PiiCipher(` ${KEY_A.slice(1)}`)).toThrow(Error);
  });
});
