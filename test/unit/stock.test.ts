import {
  confirm,
  conflictBackoffMs,
  isConsistent,
  release,
  reservationTransition,
  returnSold,
  reserve,
  restock,
  stockStatus,
  type ReservationAction,
  type ReservationState,
} from '../../src/domain/stock';

const counts = { total: 10, available: 6, reserved: 3, sold: 1 };

describe('stock moves', () => {
  it('reserve moves available to reserved, or refuses when short', () => {
    expect(reserve(counts, 6)).toEqual({ total: 10, available: 0, reserved: 9, sold: 1 });
    expect(reserve(counts, 7)).toBeNull();
  });

  it('confirm moves reserved to sold', () => {
    expect(confirm(counts, 3)).toEqual({ total: 10, available: 6, reserved: 0, sold: 4 });
    expect(() => confirm(counts, 4)).toThrow(/only 3 reserved/);
  });

  it('release moves reserved back to available', () => {
    expect(release(counts, 2)).toEqual({ total: 10, available: 8, reserved: 1, sold: 1 });
    expect(() => release(counts, 4)).toThrow(/only 3 reserved/);
  });

  it('return moves sold back to available', () => {
    expect(returnSold(counts, 1)).toEqual({ total: 10, available: 7, reserved: 3, sold: 0 });
    expect(() => returnSold(counts, 2)).toThrow(/only 1 sold/);
  });

  it('restock grows total and available together', () => {
    expect(restock(counts, 5)).toEqual({ total: 15, available: 11, reserved: 3, sold: 1 });
  });

  it('every move keeps the counts consistent', () => {
    for (const next of [reserve(counts, 2)!, confirm(counts, 1), release(counts, 1), returnSold(counts, 1), restock(counts, 4)]) {
      expect(isConsistent(next)).toBe(true);
    }
    expect(isConsistent({ ...counts, sold: 2 })).toBe(false);
  });

  it('derives the status from what is available', () => {
    expect(stockStatus(1)).toBe('IN_STOCK');
    expect(stockStatus(0)).toBe('SOLD_OUT');
  });
});

describe('reservationTransition', () => {
  const table: [ReservationState | undefined, ReservationAction, string][] = [
    [undefined, 'reserve', 'apply RESERVED'],
    [undefined, 'confirm', 'refuse'],
    [undefined, 'release', 'apply RELEASED'],
    ['RESERVED', 'reserve', 'already-done'],
    ['RESERVED', 'confirm', 'apply CONFIRMED'],
    ['RESERVED', 'release', 'apply RELEASED'],
    ['CONFIRMED', 'reserve', 'already-done'],
    ['CONFIRMED', 'confirm', 'already-done'],
    ['CONFIRMED', 'release', 'refuse'],
    ['RELEASED', 'reserve', 'refuse'],
    ['RELEASED', 'confirm', 'refuse'],
    ['RELEASED', 'release', 'already-done'],
    [undefined, 'return', 'already-done'],
    ['RESERVED', 'return', 'already-done'],
    ['CONFIRMED', 'return', 'apply RETURNED'],
    ['RELEASED', 'return', 'already-done'],
    ['RETURNED', 'return', 'already-done'],
    ['RETURNED', 'reserve', 'refuse'],
    ['RETURNED', 'confirm', 'refuse'],
    ['RETURNED', 'release', 'already-done'],
  ];

  it.each(table)('from %s, %s -> %s', (from, action, expected) => {
    const t = reservationTransition(from, action);
    expect(t.kind === 'apply' ? `apply ${t.to}` : t.kind).toBe(expected);
  });
});

describe('conflictBackoffMs', () => {
  it('doubles from 50 ms and caps at one second', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => conflictBackoffMs(n, noJitter))).toEqual([
      50, 100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });

  it('adds up to 100% jitter', () => {
    expect(conflictBackoffMs(0, () => 0.5)).toBe(75);
    expect(conflictBackoffMs(2, () => 0.999)).toBe(400);
    expect(conflictBackoffMs(10, () => 0.25)).toBe(1250);
  });
});
