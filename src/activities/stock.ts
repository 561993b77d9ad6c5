import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { isUuid } from '../contracts/uuid';
import type { ReserveStockInput, StockItem, StockMoveResult } from '../contracts/stock';
import { isUniqueViolation } from '../db/knex';
import { createStockRepository, type ReservationLine } from '../db/repositories/stocks';
import { BusinessErrorCode } from '../domain/errors';
import { refuse } from './refusal';
import * as stock from '../domain/stock';
import { defaultConflictRetry, OptimisticLockConflict, retryOnConflict, type ConflictRetryOptions } from './conflictRetry';

// A caller's bug, not a business outcome and not worth retrying.
const invalidRequest = (message: string) => ApplicationFailure.create({ type: 'INVALID_STOCK_REQUEST', message, nonRetryable: true });

function requireUuid(label: string, value: string): void {
  if (!isUuid(value)) throw invalidRequest(`${label} must be a UUID, got ${JSON.stringify(value)}`);
}

/**
 * One line per option, quantities of repeated options summed, in option-id order so
 * that concurrent multi-item orders write rows in the same order (no deadlocks).
 */
export function normaliseItems(items: StockItem[]): StockItem[] {
  if (!Array.isArray(items) || items.length === 0) throw invalidRequest('an order reserves at least one item');
  const byOption = new Map<string, number>();
  for (const item of items) {
    requireUuid('optionId', item.optionId);
    if (!Number.isInteger(item.quantity) || item.quantity <= 0) {
      throw invalidRequest(`quantity must be a positive integer, got ${item.quantity}`);
    }
    const optionId = item.optionId.toLowerCase();
    byOption.set(optionId, (byOption.get(optionId) ?? 0) + item.quantity);
  }
  return [...byOption].sort(([a], [b]) => a.localeCompare(b)).map(([optionId, quantity]) => ({ optionId, quantity }));
}

/**
 * How a stock move guards the rows it changes (docs/stock.md, docs/benchmarks.md):
 * - `version-check` (default): plain reads, `UPDATE ... WHERE version = ?`, a lost race
 *   is retried after a backoff. Waiting costs no connection, so a hot option never
 *   starves requests for other options of the pool.
 * - `for-update`: the rows are locked (`SELECT ... FOR UPDATE`) and moves of a hot option
 *   queue on the lock instead of retrying: 4-6x the throughput on one hot row, but each
 *   waiter holds a pooled connection while it waits (bounded by lock_timeout).
 */
export type StockLocking = 'version-check' | 'for-update';

/** A queued move gives up its place after this long and is retried like a lost race. */
const LOCK_TIMEOUT = '5s';

export const createStockActivities = (deps: { db: Knex; conflictRetry?: Partial<ConflictRetryOptions>; locking?: StockLocking }) => {
  const stocks = createStockRepository(deps.db);
  const retry = { ...defaultConflictRetry, ...deps.conflictRetry };
  const locking = deps.locking ?? 'version-check';

  /** Writes each line's new counts, version-checked; a lost race aborts the transaction. */
  async function moveLines(
    trx: Knex.Transaction,
    lines: ReservationLine[],
    move: (counts: stock.StockCounts, quantity: number) => stock.StockCounts | null,
  ): Promise<void> {
    const optionIds = lines.map((l) => l.optionId);
    const current = locking === 'for-update' ? await stocks.lockMany(trx, optionIds) : await stocks.findMany(trx, optionIds);
    // Decide every line before writing any: an order is reserved whole or not at all.
    const planned = lines.map((line) => {
      const read = current.get(line.optionId);
      if (!read) throw refuse(BusinessErrorCode.OPTION_NOT_FOUND, `option ${line.optionId} does not exist`, { optionId: line.optionId });
      const next = move(read, line.quantity);
      if (!next) {
        throw refuse(BusinessErrorCode.OUT_OF_STOCK, `option ${line.optionId} has ${read.available} available, ${line.quantity} requested`, {
          optionId: line.optionId,
          requested: line.quantity,
          available: read.available,
        });
      }
      return { read, next };
    });
    for (const { read, next } of planned) {
      if (!(await stocks.writeIfUnchanged(trx, read, next))) throw new OptimisticLockConflict(read.optionId);
    }
  }

  /**
   * One move of one order, in one transaction: lock the order's row, follow the state
   * machine, move the counts. Lost races (version check, a concurrent first move of the
   * same order, deadlocks) are retried from a fresh read by retryOnConflict.
   */
  function move(
    orderId: string,
    action: stock.ReservationAction,
    linesFor: (trx: Knex.Transaction) => Promise<ReservationLine[]>,
    counts: (counts: stock.StockCounts, quantity: number) => stock.StockCounts | null,
  ): Promise<StockMoveResult> {
    requireUuid('orderId', orderId);
    return retryOnConflict(
      () =>
        deps.db.transaction(async (trx) => {
          if (locking === 'for-update') await trx.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`);
          const from = await stocks.lockOrder(trx, orderId);
          const transition = stock.reservationTransition(from, action);
          if (transition.kind === 'already-done') {
            return { orderId, state: from ?? 'NONE', changed: false, items: await stocks.linesOf(trx, orderId) };
          }
          if (transition.kind === 'refuse') {
            throw refuse(
              from === undefined ? BusinessErrorCode.RESERVATION_NOT_FOUND : BusinessErrorCode.INVALID_STOCK_TRANSITION,
              `cannot ${action} the stock of order ${orderId}: ${transition.reason}`,
              { orderId, state: from ?? null },
            );
          }
          const lines = await linesFor(trx);
          await moveLines(trx, lines, counts);
          if (from === undefined) {
            try {
              await stocks.insertOrder(trx, orderId, transition.to);
            } catch (error) {
              // A concurrent first move of this order committed first: retry and see it.
              if (isUniqueViolation(error)) throw new OptimisticLockConflict(lines[0]?.optionId ?? orderId);
              throw error;
            }
            if (action === 'reserve') await stocks.insertLines(trx, orderId, lines);
          } else {
            await stocks.setOrderState(trx, orderId, transition.to);
          }
          return { orderId, state: transition.to, changed: lines.length > 0, items: lines };
        }),
      retry,
    );
  }

  return {
    /**
     * available -> reserved for every item of an order, all or nothing, each stock row
     * written with a version check. Only a read that truly shows too little stock answers
     * OUT_OF_STOCK; a lost race is retried. A repeated call for the same order changes nothing.
     */
    async reserveStock(input: ReserveStockInput): Promise<StockMoveResult> {
      const items = normaliseItems(input.items);
      return move(input.orderId, 'reserve', async () => items, stock.reserve);
    },

    /** reserved -> sold for an order's reservation. */
    confirmStock: (orderId: string) => move(orderId, 'confirm', (trx) => stocks.linesOf(trx, orderId), stock.confirm),

    /**
     * reserved -> available for an order's reservation. With nothing reserved it moves
     * nothing but records the release, so a reserve that arrives late is refused.
     */
    releaseStock: (orderId: string) => move(orderId, 'release', (trx) => stocks.linesOf(trx, orderId), stock.release),

    /**
     * sold -> available for a confirmed order that failed afterwards (the saga's
     * compensation for the confirm step). Finding nothing sold is a no-op.
     */
    returnStock: (orderId: string) => move(orderId, 'return', (trx) => stocks.linesOf(trx, orderId), stock.returnSold),
  };
};

export type StockActivities = ReturnType<typeof createStockActivities>;
