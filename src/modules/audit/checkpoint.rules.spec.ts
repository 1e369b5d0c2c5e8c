import { createPublicKey, verify } from 'node:crypto';
import { SigningKey } from '../../common/crypto/signing-key';
import { checkpointMessage, checkpointProblem } from './checkpoint.rules';

const key = SigningKey.parse(SigningKey.generatePem());
const claim = { lastId: '1024', hash: 'ab'.repeat(32), occurredAt: '2026-11-22T02:00:00.000Z' };
const signed = { ...claim, signature: key.sign(checkpointMessage(claim)), keyId: key.keyId };

describe('checkpointMessage', () => {
  it('is the canonical JSON of hash, lastId and occurredAt, keys sorted, nothing else', () => {
    const message = checkpointMessage({ ...claim, extra: 'ignored' } as typeof claim);
    expect(message.toString('utf8')).toBe(`{"hash":"${claim.hash}","lastId":"1024","occurredAt":"2026-11-22T02:00:00.000Z"}`);
  });

  it('gives a signature anyone can check with node:crypto and the SPKI PEM public key alone', () => {
    const publicKey = createPublicKey(key.publicKeyPem);
    const bytes = Buffer.from(JSON.stringify({ hash: claim.hash, lastId: claim.lastId, occurredAt: claim.occurredAt }));
    expect(verify(null, bytes, publicKey, Buffer.from(signed.signature, 'base64'))).toBe(true);
  });
});

describe('checkpointProblem', () => {
  it('accepts a checkpoint whose entry still has its hash', () => {
    expect(checkpointProblem(signed, claim.hash, key)).toBeUndefined();
  });

  it('reports a rewritten or missing entry', () => {
    expect(checkpointProblem(signed, 'cd'.repeat(32), key)).toBe('hash-differs');
    expect(checkpointProblem(signed, null, key)).toBe('entry-missing');
  });

  it('reports a checkpoint whose claim was edited after signing', () => {
    expect(checkpointProblem({ ...signed, hash: 'cd'.repeat(32) }, 'cd'.repeat(32), key)).toBe('signature-invalid');
    expect(checkpointProblem({ ...signed, lastId: '1025' }, claim.hash, key)).toBe('signature-invalid');
    expect(checkpointProblem({ ...signed, signature: 'garbage' }, claim.hash, key)).toBe('signature-invalid');
  });

  it('does not take a checkpoint signed by another key', () => {
    const other = SigningKey.parse(SigningKey.generatePem());
    const forged = { ...claim, signature: other.sign(checkpointMessage(claim)), keyId: other.keyId };
    expect(checkpointProblem(forged, claim.hash, key)).toBe('unknown-key');
    expect(checkpointProblem({ ...forged, keyId: key.keyId }, claim.hash, key)).toBe('signature-invalid');
  });
});

describe('SigningKey', () => {
  it('reads PKCS#8 as PEM, as PEM with escaped newlines, and as base64 DER', () => {
    const pem = SigningKey.generatePem();
    const fromPem = SigningKey.parse(pem);
    const der = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    expect(SigningKey.parse(der).keyId).toBe(fromPem.keyId);
    expect(SigningKey.parse(pem.replace(/\n/g, '\\n')).keyId).toBe(fromPem.keyId);
    expect(fromPem.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('refuses what is not an Ed25519 private key', () => {
    expect(() => SigningKey.parse('not a key')).toThrow(/Ed25519/);
    expect(() => SigningKey.parse(key.publicKeyPem)).toThrow(/Ed25519/);
  });
});
