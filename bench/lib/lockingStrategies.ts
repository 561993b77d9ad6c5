/**
 * Three ways to reserve units of one option, for bench/locking.ts. Each records the same
 * per-order rows (stock_orders, stock_reservations) in the same transaction as the count
 * change, so they do the same work against the same constraints; they differ only in how
 * they keep two requests from deciding on the same stale count.
 */
import type { Knex } from 'knex';
import { createStockActivities } from '../../src/activities/stock';
import { createStockRepository } from '../../src/db/repositories/stocks';
import * as stock from '../../src/domain/stock';

export const strategyNames = ['version-check', 'for-update', 'conditional-update'] as const;
export type StrategyName = (typeof strategyNames)[number];

export type Outcome = 'OK' | 'OUT_OF_STOCK';

export interface Strategy {
  reserve(orderId: string, optionId: string, quantity: number): Promise<Outcome>;
  /** Transactions rolled back and run again because they lost a race. */
  retries(): number;
}

/**
 * What ships: the stock activity itself (STOCK_LOCKING=version-check, the default, or
 * for-update), called outside Temporal (it needs no activity context). Lost races are
 * counted through the conflict retry's onConflict hook, which leaves its behaviour unchanged.
 */
const shipped = (locking: 'version-check' | 'for-update') => (db: Knex): Strategy => {
  let conflicts = 0;
  const { reserveStock } = createStockActivities({ db, locking, conflictRetry: { onConflict: () => (conflicts += 1) } });
  return {
    async reserve(orderId, optionId, quantity) {
      try {
        await reserveStock({ orderId, items: [{ optionId, quantity }] });
        return 'OK';
      } catch (error) {
        if ((error as { type?: string }).type === 'OUT_OF_STOCK') return 'OUT_OF_STOCK';
        throw error;
      }
    },
    retries: () => conflicts,
  };
};

/**
 * The order's part of a reservation, as the activity does it: lock the order's row,
 * follow the state machine, take the stock, record the order and its line. `take`
 * answers whether the stock row had enough.
 */
function reserveRecorded(db: Knex, take: (trx: Knex.Transaction, optionId: string, quantity: number) => Promise<boolean>): Strategy {
  const stocks = createStockRepository(db);
  return {
    reserve: (orderId, optionId, quantity) =>
      db.transaction(async (trx): Promise<Outcome> => {
        const transition = stock.reservationTransition(await stocks.lockOrder(trx, orderId), 'reserve');
        // Every order in the benchmark is new; anything else is a bug in the benchmark.
        if (transition.kind !== 'apply') throw new Error(`order ${orderId} already has a reservation`);
        if (!(await take(trx, optionId, quantity))) return 'OUT_OF_STOCK';
        await stocks.insertOrder(trx, orderId, transition.to);
        await stocks.insertLines(trx, orderId, [{ optionId, quantity }]);
        return 'OK';
      }),
    retries: () => 0,
  };
}

/**
 * One statement, no read: a concurrent UPDATE waits for the row lock, and PostgreSQL
 * re-checks `available >= ?` on the row the winner committed before writing (READ
 * COMMITTED), so nobody can take units that are gone. The rule is restated in SQL, and
 * zero rows updated cannot tell "too little" from "no such option".
 */
const conditionalUpdate = (db: Knex) =>
  reserveRecorded(db, async (trx, optionId, quantity) => {
    const updated = await trx('stocks')
      .where({ option_id: optionId })
      .andWhere('available', '>=', quantity)
      .update({
        available: trx.raw('available - ?', [quantity]),
        reserved: trx.raw('reserved + ?', [quantity]),
        version: trx.raw('version + 1'),
        updated_at: trx.fn.now(),
      });
    return updated === 1;
  });

export const createStrategy: Record<StrategyName, (db: Knex) => Strategy> = {
  'version-check': shipped('version-check'),
  'for-update': shipped('for-update'),
  'conditional-update': conditionalUpdate,
};
