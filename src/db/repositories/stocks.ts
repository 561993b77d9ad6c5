import type { Knex } from 'knex';
import type { ReservationState, StockCounts } from '../../domain/stock';

export interface StockRow extends StockCounts {
  optionId: string;
  version: number;
}

export interface ReservationLine {
  optionId: string;
  quantity: number;
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
     * The rows locked until the transaction ends (`SELECT ... FOR UPDATE`), in option-id
     * order so two multi-item orders lock in the same order and never deadlock. The
     * version still travels with the counts: the write below stays version-checked, so
     * either locking strategy is safe beside the other.
     */
    async lockMany(trx: Knex.Transaction, optionIds: string[]): Promise<Map<string, StockRow>> {
      const rows = await trx('stocks').whereIn('option_id', optionIds).orderBy('option_id').forUpdate();
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

    /**
     * The order's reservation state, its row locked until the transaction ends: moves of
     * one order queue here, so a confirm and a release (or a retry and the attempt it
     * overlaps) can never both act on the same reserved units.
     */
    async lockOrder(trx: Knex.Transaction, orderId: string): Promise<ReservationState | undefined> {
      const row = await trx('stock_orders').where({ order_id: orderId }).forUpdate().first();
      return row?.state;
    },

    /** Fails with a unique violation if a concurrent call created the order's row first. */
    async insertOrder(trx: Knex.Transaction, orderId: string, state: ReservationState): Promise<void> {
      await trx('stock_orders').insert({ order_id: orderId, state });
    },

    async setOrderState(trx: Knex.Transaction, orderId: string, state: ReservationState): Promise<void> {
      await trx('stock_orders').where({ order_id: orderId }).update({ state, updated_at: trx.fn.now() });
    },

    async linesOf(trx: Knex, orderId: string): Promise<ReservationLine[]> {
      const rows = await trx('stock_reservations').where({ order_id: orderId }).orderBy('option_id');
      return rows.map((r) => ({ optionId: r.option_id, quantity: r.quantity }));
    },

    /** Reservations held since before `before` by an order id with no order row: a placement that stopped half-way. */
    async reservedWithoutOrderBefore(before: Date, limit: number): Promise<string[]> {
      const rows = await db('stock_orders as s')
        .leftJoin('orders as o', 'o.id', 's.order_id')
        .where('s.state', 'RESERVED')
        .andWhere('s.created_at', '<', before)
        .whereNull('o.id')
        .orderBy('s.created_at')
        .limit(limit)
        .select('s.order_id');
      return rows.map((r) => r.order_id);
    },

    async insertLines(trx: Knex.Transaction, orderId: string, lines: ReservationLine[]): Promise<void> {
      await trx('stock_reservations').insert(lines.map((l) => ({ order_id: orderId, option_id: l.optionId, quantity: l.quantity })));
    },
  };
}

export type StockRepository = ReturnType<typeof createStockRepository>;
