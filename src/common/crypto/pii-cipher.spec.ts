import { createHmac } from 'node:crypto';
import { isValidDataKey, PiiCipher } from './pii-cipher';

const KEY_A = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const KEY_B = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';

const flipByte = (payload: string, index: number): string => {
  const bytes = Buffer.from(payload, 'base64');
  bytes[index] ^= 0x01;
  return bytes.toString('base64');
};

describe('PiiCipher', () => {
  const cipher = new PiiCipher(KEY_A);

  it.each(['+8613800138000', 'zhang.san@example.com', '张三 · 华为技术有限公司', ''])('round-trips %p', (value) => {
    expect(cipher.decrypt(cipher.encrypt(value))).toBe(value);
  });

  it('lays out the payload as iv(12) || tag(16) || ciphertext', () => {
    expect(Buffer.from(cipher.encrypt(''), 'base64')).toHaveLength(28);
    expect(Buffer.from(cipher.encrypt('abc'), 'base64')).toHaveLength(31);
  });

  it('encrypts the same value differently each time', () => {
    const value = '+8613800138000';
    expect(cipher.encrypt(value)).not.toBe(cipher.encrypt(value));
  });

  it.each([
    ['iv', 0],
    ['tag', 12],
    ['ciphertext', 28],
  ])('rejects a payload with a flipped %s byte', (_part, index) => {
    const payload = cipher.encrypt('+8613800138000');
    expect(() => cipher.decrypt(flipByte(payload, index))).toThrow();
  });

  it('rejects a payload that is too short', () => {
    expect(() => cipher.decrypt(Buffer.alloc(27).toString('base64'))).toThrow();
  });

  it('cannot decrypt with another key', () => {
    expect(() => new PiiCipher(KEY_B).decrypt(cipher.encrypt('secret'))).toThrow();
  });

  it('decrypts with a new instance built from the same key', () => {
    expect(new PiiCipher(KEY_A.toUpperCase()).decrypt(cipher.encrypt('李四'))).toBe('李四');
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

  it('makes the constructor throw for a 63-character key', () => {
    expect(() => new PiiCipher(KEY_A.slice(1))).toThrow(Error);
  });

  it('makes the constructor throw for a non-hex key', () => {
    expect(() => new PiiCipher(`${KEY_A.slice(1)}z`)).toThrow(Error);
    expect(() => new PiiCipher(` ${KEY_A.slice(1)}`)).toThrow(Error);
  });
});
