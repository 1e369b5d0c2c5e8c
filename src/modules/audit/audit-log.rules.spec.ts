import { actionFilter, isEntityPage, likePrefix, positionFromCursor, rangeProblem } from './audit-log.rules';

describe('actionFilter', () => {
  it('reads a trailing dot as a prefix and anything else as an exact action', () => {
    expect(actionFilter('customer.')).toEqual({ actionPrefix: 'customer.' });
    expect(actionFilter('customer.update')).toEqual({ action: 'customer.update' });
    expect(actionFilter(undefined)).toEqual({});
  });
});

describe('isEntityPage', () => {
  it('is a page by one entity, with filters the entity index holds', () => {
    expect(isEntityPage({ entityType: 'customer', entityId: 'c1' })).toBe(true);
    expect(isEntityPage({ entityType: 'customer', entityId: 'c1', action: 'customer.update', from: '2026-01-01T00:00:00Z' })).toBe(true);
    expect(isEntityPage({ entityType: 'customer', entityId: 'c1', actionPrefix: 'customer.' })).toBe(true);
  });

  it('is not one without both type and id, or with an actor or request filter', () => {
    expect(isEntityPage({ entityType: 'customer' })).toBe(false);
    expect(isEntityPage({ entityId: 'c1' })).toBe(false);
    expect(isEntityPage({ entityType: 'customer', entityId: 'c1', actorId: 'u1' })).toBe(false);
    expect(isEntityPage({ entityType: 'customer', entityId: 'c1', requestId: 'r1' })).toBe(false);
  });
});

describe('likePrefix', () => {
  it("takes LIKE's wildcards in the prefix literally", () => {
    expect(likePrefix('auth.login_')).toBe('auth.login\\_%');
    expect(likePrefix('a%b\\.')).toBe('a\\%b\\\\.%');
  });
});

describe('rangeProblem', () => {
  it('wants to after from, and accepts open ranges', () => {
    expect(rangeProblem('2026-11-01T00:00:00Z', '2026-11-02T00:00:00+08:00')).toBeUndefined();
    expect(rangeProblem('2026-11-02T00:00:00+08:00', '2026-11-01T16:00:00Z')).toBe('to must be later than from');
    expect(rangeProblem(undefined, '2026-11-01T00:00:00Z')).toBeUndefined();
  });
});

describe('positionFromCursor', () => {
  const key = (value: unknown[]) => value as (string | number | null)[];

  it('gives back the position a page ended at, in the same order only', () => {
    expect(positionFromCursor(key(['newest', '2026-11-22T10:00:00.000Z', '1024']), 'newest')).toEqual({ occurredAt: '2026-11-22T10:00:00.000Z', id: '1024' });
    expect(positionFromCursor(key(['newest', '2026-11-22T10:00:00.000Z', '1024']), 'oldest')).toBe('other-order');
  });

  it.each([[['newest', 'yesterday', '1']], [['newest', '2026-11-22T10:00:00.000Z', '1; DROP TABLE']], [['newest', '2026-11-22T10:00:00.000Z', 7]]])(
    'refuses a forged cursor %j',
    (value) => {
      expect(positionFromCursor(key(value), 'newest')).toBeUndefined();
    },
  );
});
