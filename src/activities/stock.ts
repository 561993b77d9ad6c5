import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { ReserveStockInput, StockItem, StockMoveResult } from '../contracts/stock';
import { isUniqueViolation } from '../db/knex';
import { createStockRepository, type ReservationRow } from '../db/repositories/stocks';
import { BusinessErrorCode } from '../domain/errors';
import * as stock from '../domain/stock';
import { defaultConflictRetry, OptimisticLockConflict, retryOnConflict, type ConflictRetryOptions } from './conflictRetry';

const refuse = (type: BusinessErrorCode, message: string, details?: unknown) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });

/**
 * One line per option, quantities of repeated options summed, in option-id order so
 * that concurrent multi-item orders lock rows in the same order (no deadlocks).
 */
export function normaliseItems(items: StockItem[]): StockItem[] {
  const byOption = new Map<string, number>();
  for (const item of items) {
    if (!Number.isInteger(item.quantity) || item.quantity <= 0) {
      // A caller's bug, not a business outcome: fail without retrying.
      throw ApplicationFailure.create({
        type: 'INVALID_STOCK_REQUEST',
        message: `quantity must be a positive integer, got ${item.quantity}`,
        nonRetryable: true,
      });
    }
    byOption.set(item.optionId, (byOption.get(item.optionId) ?? 0) + item.quantity);
  }
  return [...byOption].sort(([a], [b]) => a.localeCompare(b)).map(([optionId, quantity]) => ({ optionId, quantity }));
}

const itemsOf = (rows: ReservationRow[]): StockItem[] => rows.map((r) => ({ optionId: r.optionId, quantity: r.quantity }));

export const createStockActivities = (deps: { db: Knex; conflictRetry?: Partial<ConflictRetryOptions> }) => {
  const stocks = createStockRepository(deps.db);
  const retry = { ...defaultConflictRetry, ...deps.conflictRetry };

  /** Applies one count move to every reserved option of an order, version-checked. */
  async function moveAll(
    trx: Knex.Transaction,
    rows: ReservationRow[],
    move: (counts: stock.StockCounts, quantity: number) => stock.StockCounts,
  ): Promise<void> {
    const current = await stocks.findMany(trx, rows.map((r) => r.optionId));
    for (const row of rows) {
      const read = current.get(row.optionId)!;
      if (!(await stocks.writeIfUnchanged(trx, read, move(read, row.quantity)))) {
        throw new OptimisticLockConflict(row.optionId);
      }
    }
  }

  /** confirm and release share their shape: look up the order, follow the state machine, move counts. */
  function settle(action: 'confirm' | 'release', to: 'CONFIRMED' | 'RELEASED', move: typeof stock.confirm) {
    return (orderId: string): Promise<StockMoveResult> =>
      retryOnConflict(
        () =>
          deps.db.transaction(async (trx) => {
            const rows = await stocks.reservationsOf(trx, orderId);
            const from = rows[0]?.state;
            const transition = stock.reservationTransition(from, action);
            switch (transition.kind) {
              case 'nothing-to-do':
                return { orderId, state: 'NONE' as const, changed: false, items: [] };
              case 'already-done':
                return { orderId, state: from!, changed: false, items: itemsOf(rows) };
              case 'refuse':
                throw refuse(
                  from === undefined ? BusinessErrorCode.RESERVATION_NOT_FOUND : BusinessErrorCode.INVALID_STOCK_TRANSITION,
                  `cannot ${action} the stock of order ${orderId}: ${transition.reason}`,
                  { orderId, state: from ?? null },
                );
            }
            await moveAll(trx, rows, move);
            await stocks.setReservationState(trx, orderId, to);
            return { orderId, state: to, changed: true, items: itemsOf(rows) };
          }),
        retry,
      );
  }

  return {
    /**
     * available -> reserved for every item of an order, all or nothing. Each stock row is
     * written with a version check; a lost race rolls the whole order back and retries
     * from a fresh read (retryOnConflict), so only a read that truly shows too little
     * stock answers OUT_OF_STOCK. A repeated call for the same order changes nothing.
     */
    async reserveStock(input: ReserveStockInput): Promise<StockMoveResult> {
      const items = normaliseItems(input.items);
      return retryOnConflict(
        () =>
          deps.db.transaction(async (trx) => {
            const existing = await stocks.reservationsOf(trx, input.orderId);
            const transition = stock.reservationTransition(existing[0]?.state, 'reserve');
            if (transition.kind === 'already-done') {
              return { orderId: input.orderId, state: existing[0].state, changed: false, items: itemsOf(existing) };
            }
            if (transition.kind === 'refuse') {
              throw refuse(BusinessErrorCode.INVALID_STOCK_TRANSITION, `cannot reserve for order ${input.orderId}: ${transition.reason}`);
            }

            const current = await stocks.findMany(trx, items.map((i) => i.optionId));
            const planned = items.map((item) => {
              const read = current.get(item.optionId);
              if (!read) throw refuse(BusinessErrorCode.OPTION_NOT_FOUND, `option ${item.optionId} does not exist`, { optionId: item.optionId });
              const next = stock.reserve(read, item.quantity);
              if (!next) {
                throw refuse(BusinessErrorCode.OUT_OF_STOCK, `option ${item.optionId} has ${read.available} available, ${item.quantity} requested`, {
                  optionId: item.optionId,
                  requested: item.quantity,
                  available: read.available,
                });
              }
              return { read, next };
            });
            for (const { read, next } of planned) {
              if (!(await stocks.writeIfUnchanged(trx, read, next))) throw new OptimisticLockConflict(read.optionId);
            }
            try {
              await stocks.insertReservations(
                trx,
                items.map((i) => ({ orderId: input.orderId, optionId: i.optionId, quantity: i.quantity, state: 'RESERVED' })),
              );
            } catch (error) {
              // A concurrent call for the same order committed first: retry, and find it done.
              if (isUniqueViolation(error)) throw new OptimisticLockConflict(items[0].optionId);
              throw error;
            }
            return { orderId: input.orderId, state: 'RESERVED' as const, changed: true, items };
          }),
        retry,
      );
    },

    /** reserved -> sold for an order's reservation. */
    confirmStock: settle('confirm', 'CONFIRMED', stock.confirm),

    /** reserved -> available for an order's reservation; a no-op when nothing was reserved. */
    releaseStock: settle('release', 'RELEASED', stock.release),
  };
};

export type StockActivities = ReturnType<typeof createStockActivities>;
