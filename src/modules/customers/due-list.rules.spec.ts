import fc from 'fast-check';
import { dueItemKey, dueListBounds, type DueItemKey, MAX_UUID, NIL_UUID } from './due-list.rules';

type Item = { dueAt: number; kind: 'follow_up' | 'review'; customerId: string; roundId: string };

const compareTuple = (a: (number | string)[], b: (number | string)[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
};
const keyOf = (i: Item) => [i.dueAt, i.kind, i.customerId, i.roundId];

/** What the SQL of each branch keeps after a key, given the bounds (due times as numbers here). */
function keptAfter(items: Item[], key: DueItemKey): Item[] {
  const b = dueListBounds(key);
  return items.filter((i) => {
    if (i.kind === 'follow_up') return compareTuple([i.dueAt, i.customerId], [Number(b.followUp.dueAt), b.followUp.customerId]) > 0;
    const c = compareTuple([i.dueAt, i.customerId, i.roundId], [Number(b.review.dueAt), b.review.customerId, b.review.roundId]);
    return b.review.op === '>' ? c > 0 : c >= 0;
  });
}

describe('due list keyset over follow-ups and review tasks', () => {
  it('after a follow-up: later follow-ups, and every review task at the same time', () => {
    expect(dueListBounds({ dueAt: 'T', kind: 'follow_up', customerId: 'c', roundId: NIL_UUID })).toEqual({
      followUp: { dueAt: 'T', customerId: 'c' },
      review: { op: '>=', dueAt: 'T', customerId: NIL_UUID, roundId: NIL_UUID },
    });
  });

  it('after a review task: no follow-up at the same time, later review tasks', () => {
    expect(dueListBounds({ dueAt: 'T', kind: 'review', customerId: 'c', roundId: 'r' })).toEqual({
      followUp: { dueAt: 'T', customerId: MAX_UUID },
      review: { op: '>', dueAt: 'T', customerId: 'c', roundId: 'r' },
    });
  });

  it('keeps exactly the items after the key in the union order, whatever the ties', () => {
    const hex = fc.constantFrom('1', '5', '9', 'a', 'f');
    const uuid = hex.map((h) => `${h.repeat(8)}-${h.repeat(4)}-${h.repeat(4)}-${h.repeat(4)}-${h.repeat(12)}`);
    const item = fc.record({ dueAt: fc.integer({ min: 1, max: 3 }), kind: fc.constantFrom('follow_up' as const, 'review' as const), customerId: uuid, roundId: uuid }).map((i) =>
      i.kind === 'follow_up' ? { ...i, roundId: NIL_UUID } : i,
    );
    fc.assert(
      fc.property(fc.uniqueArray(item, { minLength: 1, maxLength: 30, selector: (i) => keyOf(i).join('|') }), fc.nat(), (items, pick) => {
        const sorted = [...items].sort((a, b) => compareTuple(keyOf(a), keyOf(b)));
        const last = sorted[pick % sorted.length];
        const expected = sorted.slice(sorted.indexOf(last) + 1);
        const kept = keptAfter(items, { dueAt: String(last.dueAt), kind: last.kind, customerId: last.customerId, roundId: last.roundId }).sort((a, b) => compareTuple(keyOf(a), keyOf(b)));
        expect(kept).toEqual(expected);
      }),
    );
  });

  it('a cursor\'s values make a key only when each is what it should be', () => {
    const u = '11111111-1111-1111-1111-111111111111';
    expect(dueItemKey(['2026-12-01 10:00:00.123456+00', 'review', u, u])).toEqual({ dueAt: '2026-12-01 10:00:00.123456+00', kind: 'review', customerId: u, roundId: u });
    expect(dueItemKey(['2026-12-01 10:00:00+00', 'task', u, u])).toBeUndefined();
    expect(dueItemKey(['yesterday', 'review', u, u])).toBeUndefined();
    expect(dueItemKey(['2026-12-01 10:00:00+00', 'follow_up', 'x', u])).toBeUndefined();
    expect(dueItemKey(['2026-12-01 10:00:00+00', 'follow_up', u, 3])).toBeUndefined();
  });
});
