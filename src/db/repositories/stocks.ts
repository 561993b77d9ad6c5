import type { Knex } from 'knex';
import type { ReservationState, StockCounts } from '../../domain/stock';

export interface StockRow extends StockCounts {
  optionId: string;
  version: number;
}

export interface ReservationRow {
  orderId: string;
  optionId: string;
  quantity: number;
  state: ReservationState;
}

const toStock = (r: Record<string, any>): StockRow => ({
  optionId: r.option_id,
  total: r.total,
  available: r.available,
  reserved: r.reserved,
  sold: r.sold,
  version: r.version,
});

export function createStockRepository(db: Knex) {
  return {
    async find(optionId: string, trx: Knex = db): Promise<StockRow | undefined> {
      const row = await trx('stocks').where({ option_id: optionId }).first();
      return row ? toStock(row) : undefined;
    },

    /** Plain reads (no lock): the version travels with the counts to the update. */
    async findMany(trx: Knex, optionIds: string[]): Promise<Map<string, StockRow>> {
      const rows = await trx('stocks').whereIn('option_id', optionIds);
      return new Map(rows.map((r) => [r.option_id as string, toStock(r)]));
    },

    /**
     * Writes new counts only if nobody changed the row since it was read: `WHERE version
     * = ?`. Returns false when another transaction got there first (the lost-update race
     * an unchecked write would have); the caller rolls back and retries from a fresh read.
     */
    async writeIfUnchanged(trx: Knex.Transaction, read: StockRow, next: StockCounts): Promise<boolean> {
      const updated = await trx('stocks')
        .where({ option_id: read.optionId, version: read.version })
        .update({
          total: next.total,
          available: next.available,
          reserved: next.reserved,
          sold: next.sold,
          version: read.version + 1,
          updated_at: trx.fn.now(),
        });
      return updated === 1;
    },

    /**
     * Adds units in one atomic UPDATE (no read, so no race to lose). It bumps the version
     * too, so a reservation that read the old counts retries and sees the new stock.
     */
    async restock(optionId: string, quantity: number): Promise<StockRow | undefined> {
      const [row] = await db('stocks')
        .where({ option_id: optionId })
        .update({
          total: db.raw('total + ?', [quantity]),
          available: db.raw('available + ?', [quantity]),
          version: db.raw('version + 1'),
          updated_at: db.fn.now(),
        })
        .returning('*');
      return row ? toStock(row) : undefined;
    },

    async reservationsOf(trx: Knex, orderId: string): Promise<ReservationRow[]> {
      const rows = await trx('stock_reservations').where({ order_id: orderId }).orderBy('option_id');
      return rows.map((r) => ({ orderId: r.order_id, optionId: r.option_id, quantity: r.quantity, state: r.state }));
    },

    async insertReservations(trx: Knex.Transaction, rows: ReservationRow[]): Promise<void> {
      await trx('stock_reservations').insert(
        rows.map((r) => ({ order_id: r.orderId, option_id: r.optionId, quantity: r.quantity, state: r.state })),
      );
    },

    async setReservationState(trx: Knex.Transaction, orderId: string, state: ReservationState): Promise<void> {
      await trx('stock_reservations').where({ order_id: orderId }).update({ state, updated_at: trx.fn.now() });
    },
  };
}

export type StockRepository = ReturnType<typeof createStockRepository>;
