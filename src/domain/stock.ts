/**
 * Stock of one product option as four counts that always add up:
 * available + reserved + sold = total, each >= 0 (also CHECK constraints in PostgreSQL).
 * Every move is a pure function from counts to counts, or a refusal.
 */
export interface StockCounts {
  total: number;
  available: number;
  reserved: number;
  sold: number;
}

export type StockStatus = 'IN_STOCK' | 'SOLD_OUT';

export const stockStatus = (available: number): StockStatus => (available > 0 ? 'IN_STOCK' : 'SOLD_OUT');

export const isConsistent = (s: StockCounts): boolean =>
  s.available >= 0 && s.reserved >= 0 && s.sold >= 0 && s.available + s.reserved + s.sold === s.total;

/** available -> reserved; null when there is not enough available. */
export const reserve = (s: StockCounts, quantity: number): StockCounts | null =>
  s.available >= quantity ? { ...s, available: s.available - quantity, reserved: s.reserved + quantity } : null;

/** reserved -> sold. */
export const confirm = (s: StockCounts, quantity: number): StockCounts => {
  if (s.reserved < quantity) throw new Error(`cannot confirm ${quantity}: only ${s.reserved} reserved`);
  return { ...s, reserved: s.reserved - quantity, sold: s.sold + quantity };
};

/** reserved -> available. */
export const release = (s: StockCounts, quantity: number): StockCounts => {
  if (s.reserved < quantity) throw new Error(`cannot release ${quantity}: only ${s.reserved} reserved`);
  return { ...s, reserved: s.reserved - quantity, available: s.available + quantity };
};

/** sold -> available: a confirmed order that failed afterwards hands its units back. */
export const returnSold = (s: StockCounts, quantity: number): StockCounts => {
  if (s.sold < quantity) throw new Error(`cannot return ${quantity}: only ${s.sold} sold`);
  return { ...s, sold: s.sold - quantity, available: s.available + quantity };
};

/** New units arrive: total and available grow together. */
export const restock = (s: StockCounts, quantity: number): StockCounts => ({
  ...s,
  total: s.total + quantity,
  available: s.available + quantity,
});

/**
 * What happened to an order's reservation. The only moves are
 *   (none) -reserve-> RESERVED -confirm-> CONFIRMED
 *                     RESERVED -release-> RELEASED
 *                               CONFIRMED -return-> RETURNED  (sold -> available)
 *   (none)   -release-> RELEASED  (nothing moves; a later reserve is refused)
 * Repeating a move that already happened changes nothing (Temporal may retry any
 * activity); every other move is refused, so a release after a confirm can never put
 * sold units back on the shelf.
 */
export type ReservationState = 'RESERVED' | 'CONFIRMED' | 'RELEASED' | 'RETURNED';
export type ReservationAction = 'reserve' | 'confirm' | 'release' | 'return';

export type Transition = { kind: 'apply'; to: ReservationState } | { kind: 'already-done' } | { kind: 'refuse'; reason: string };

export function reservationTransition(from: ReservationState | undefined, action: ReservationAction): Transition {
  switch (action) {
    case 'reserve':
      if (from === undefined) return { kind: 'apply', to: 'RESERVED' };
      if (from === 'RELEASED' || from === 'RETURNED') {
        return { kind: 'refuse', reason: 'the reservation of this order was already given back' };
      }
      return { kind: 'already-done' };
    case 'confirm':
      if (from === 'RESERVED') return { kind: 'apply', to: 'CONFIRMED' };
      if (from === 'CONFIRMED') return { kind: 'already-done' };
      if (from === 'RELEASED' || from === 'RETURNED') return { kind: 'refuse', reason: 'the reservation of this order was given back' };
      return { kind: 'refuse', reason: 'this order has no reservation' };
    case 'release':
      if (from === 'RESERVED') return { kind: 'apply', to: 'RELEASED' };
      // After a return nothing is held any more: the release a failed saga runs last is a no-op.
      if (from === 'RELEASED' || from === 'RETURNED') return { kind: 'already-done' };
      // Releasing what was never reserved moves no stock but is recorded: a compensation
      // may run while a timed-out reserve is still in flight, and that late reserve must
      // then be refused rather than hold units forever.
      if (from === undefined) return { kind: 'apply', to: 'RELEASED' };
      return { kind: 'refuse', reason: 'the stock of this order is already sold (confirmed)' };
    case 'return':
      if (from === 'CONFIRMED') return { kind: 'apply', to: 'RETURNED' };
      // Nothing was sold (the confirm never happened or was given back already): a
      // compensation that finds nothing to return has nothing to do.
      return { kind: 'already-done' };
  }
}

/**
 * Delay before optimistic-lock retry `attempt` (0-based): 50, 100, 200 ... ms, capped,
 * plus up to 100% random jitter so the losers of one race do not collide again.
 */
export function conflictBackoffMs(attempt: number, random: () => number, options = { baseMs: 50, capMs: 1000 }): number {
  const exponential = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  return Math.round(exponential * (1 + random()));
}
