import { ChainedEntry, ChainVerifier, chainHash, diffSnapshots, GENESIS_HASH, toSnapshot } from './audit.rules';

const entry = (id: string, overrides: Partial<ChainedEntry> = {}): ChainedEntry => ({
  id,
  occurredAt: '2026-11-22T10:00:00.000Z',
  actorId: null,
  actorRole: null,
  action: 'user.create',
  entityType: 'user',
  entityId: 'u1',
  before: null,
  after: { username: 'li.lei' },
  changedFields: ['username'],
  reason: null,
  requestId: 'r1',
  ip: '127.0.0.1',
  userAgent: null,
  ...overrides,
});

describe('chainHash', () => {
  it('does not depend on key order (canonical JSON)', () => {
    const a = entry('1', { after: { a: 1, b: 2 } });
    const b = entry('1', { after: { b: 2, a: 1 } });
    expect(chainHash(GENESIS_HASH, a)).toBe(chainHash(GENESIS_HASH, b));
  });

  it('changes with the previous hash and with any field', () => {
    const base = chainHash(GENESIS_HASH, entry('1'));
    expect(chainHash('f'.repeat(64), entry('1'))).not.toBe(base);
    expect(chainHash(GENESIS_HASH, entry('1', { reason: 'x' }))).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('ChainVerifier', () => {
  const chain = () => {
    let prev = GENESIS_HASH;
    return ['1', '2', '3'].map((id) => {
      const e = entry(id);
      const hash = chainHash(prev, e);
      const row = { entry: e, prevHash: prev, hash };
      prev = hash;
      return row;
    });
  };

  it('accepts an intact chain', () => {
    const verifier = new ChainVerifier();
    for (const row of chain()) verifier.accept(row.entry, row);
    expect(verifier).toMatchObject({ valid: true, checked: 3, firstBrokenId: null });
  });

  it('names the first altered row', () => {
    const rows = chain();
    rows[1].entry = { ...rows[1].entry, action: 'user.delete' };
    const verifier = new ChainVerifier();
    for (const row of rows) verifier.accept(row.entry, row);
    expect(verifier.valid).toBe(false);
    expect(verifier.firstBrokenId).toBe('2');
  });

  it('notices a removed row', () => {
    const rows = chain();
    rows.splice(1, 1);
    const verifier = new ChainVerifier();
    for (const row of rows) verifier.accept(row.entry, row);
    expect(verifier.firstBrokenId).toBe('3');
  });

  it('starts a range from the hash of the entry before it', () => {
    const rows = chain();
    const verifier = new ChainVerifier(rows[0].hash, '2');
    for (const row of rows.slice(1)) verifier.accept(row.entry, row);
    expect(verifier).toMatchObject({ valid: true, checked: 2 });
    const wrongStart = new ChainVerifier(GENESIS_HASH, '2');
    wrongStart.accept(rows[1].entry, rows[1]);
    expect(wrongStart.firstBrokenId).toBe('2');
  });

  it('notices rows removed from the end, which no later row can', () => {
    const rows = chain();
    const verifier = new ChainVerifier();
    for (const row of rows.slice(0, 2)) verifier.accept(row.entry, row);
    verifier.expectEnd('3', rows[2].hash);
    expect(verifier.firstBrokenId).toBe('3');
    const whole = new ChainVerifier();
    for (const row of rows) whole.accept(row.entry, row);
    whole.expectEnd('3', rows[2].hash);
    expect(whole.valid).toBe(true);
    whole.expectEnd('3', 'f'.repeat(64));
    expect(whole.firstBrokenId).toBe('3');
  });
});

describe('diffSnapshots', () => {
  it('keeps only changed fields of an update', () => {
    expect(diffSnapshots({ a: 1, b: 'x', c: [1] }, { a: 1, b: 'y', c: [1, 2] })).toEqual({
      before: { b: 'x', c: [1] },
      after: { b: 'y', c: [1, 2] },
      changedFields: ['b', 'c'],
    });
  });

  it('keeps the whole record of a create', () => {
    expect(diffSnapshots(null, { b: 1, a: 2 })).toEqual({ before: null, after: { b: 1, a: 2 }, changedFields: ['a', 'b'] });
  });

  it('finds nothing when nothing changed', () => {
    expect(diffSnapshots({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } }).changedFields).toEqual([]);
  });
});

describe('toSnapshot', () => {
  it('drops secrets and turns dates into strings', () => {
    expect(toSnapshot({ username: 'a', passwordHash: 'h', at: new Date('2026-01-01T00:00:00Z'), gone: undefined })).toEqual({
      username: 'a',
      at: '2026-01-01T00:00:00.000Z',
    });
  });
});
