import { createPublicKey, verify } from 'node:crypto';
import { SigningKey } from '../../common/crypto/signing-key';
import { CheckpointChecker, checkpointMessage, checkpointProblem } from './checkpoint.rules';

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

describe('CheckpointChecker', () => {
  const at = (lastId: string, hash: string) => {
    const c = { lastId, hash, occurredAt: '2026-11-22T02:00:00.000Z' };
    return { ...c, signature: key.sign(checkpointMessage(c)), keyId: key.keyId };
  };
  const h = (n: number) => n.toString(16).padStart(64, '0');

  it('compares each checkpoint with its entry as the walk passes it', () => {
    const checker = new CheckpointChecker([at('2', h(2)), at('4', h(4))], key);
    for (const id of [1, 2, 3, 4, 5]) checker.see(String(id), h(id));
    checker.finish(true);
    expect([checker.valid, checker.checked, checker.firstMismatch]).toEqual([true, 2, null]);
  });

  it('names the oldest checkpoint whose entry changed', () => {
    const checker = new CheckpointChecker([at('2', h(2)), at('4', h(4))], key);
    for (const id of [1, 2, 3, 4]) checker.see(String(id), id >= 2 ? h(id + 100) : h(id));
    checker.finish(true);
    expect(checker.firstMismatch).toEqual({ lastId: '2', problem: 'hash-differs' });
    expect(checker.checked).toBe(2);
  });

  it('reports checkpoints beyond a complete walk as missing entries, and leaves them alone after a broken one', () => {
    const complete = new CheckpointChecker([at('2', h(2)), at('9', h(9))], key);
    for (const id of [1, 2, 3]) complete.see(String(id), h(id));
    complete.finish(true);
    expect(complete.firstMismatch).toEqual({ lastId: '9', problem: 'entry-missing' });
    const broken = new CheckpointChecker([at('2', h(2)), at('9', h(9))], key);
    for (const id of [1, 2]) broken.see(String(id), h(id));
    broken.finish(false);
    expect([broken.valid, broken.checked]).toEqual([true, 1]);
  });
});
