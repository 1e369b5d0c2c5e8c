import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign, verify } from 'node:crypto';

/**
 * The Ed25519 key that signs audit checkpoints. It lives outside the database (environment or the
 * data directory), so that whoever can rewrite the database still cannot sign a rewritten chain.
 */
export class SigningKey {
  readonly #privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** SPKI PEM: what verifiers are given. */
  readonly publicKeyPem: string;
  /** Hex SHA-256 of the DER SPKI public key, first 16 characters: names the key in each checkpoint. */
  readonly keyId: string;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.publicKeyPem = this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.keyId = createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  }

  /** A PKCS#8 key as PEM, or as base64 of its DER form. Throws an Error naming what is wrong. */
  static parse(text: string): SigningKey {
    const trimmed = text.trim();
    let key: KeyObject;
    try {
      key = trimmed.startsWith('-----BEGIN')
        ? createPrivateKey({ key: trimmed.replace(/\\n/g, '\n'), format: 'pem' })
        : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
    } catch {
      throw new Error('must be an Ed25519 private key in PKCS#8 form, as PEM or base64 (e.g. from `openssl genpkey -algorithm ed25519`)');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`must be an Ed25519 key, got ${key.asymmetricKeyType ?? 'an unknown kind'}`);
    return new SigningKey(key);
  }

  /** A fresh key as PKCS#8 PEM (for the data directory in embedded mode). */
  static generatePem(): string {
    return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  /** Base64 Ed25519 signature of the bytes. */
  sign(message: Buffer): string {
    return sign(null, message, this.#privateKey).toString('base64');
  }

  verify(message: Buffer, signatureBase64: string): boolean {
    try {
      return verify(null, message, this.publicKey, Buffer.from(signatureBase64, 'base64'));
    } catch {
      return false;
    }
  }
}
