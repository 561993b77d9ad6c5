import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createProductRepository } from '../../src/db/repositories/products';

/** A product whose options hold the given stock; returns the option ids in order. */
export async function productWithStock(db: Knex, stocks: number[]): Promise<string[]> {
  const product = await createProductRepository(db).insert({
    name: `Test product ${randomUUID()}`,
    description: null,
    price: 1000,
    category: 'test',
    imageUrl: null,
    options: stocks.map((stock, i) => ({ type: 'SIZE', name: `S${i}`, additionalPrice: 0, stock })),
  });
  return product.options.map((o) => o.id);
}

export async function stockOf(db: Knex, optionId: string) {
  const row = await db('stocks').where({ option_id: optionId }).first();
  return { total: row.total, available: row.available, reserved: row.reserved, sold: row.sold };
}

/** How many orders hold a line of this option, optionally only those in one state. */
export async function reservationCount(db: Knex, optionId: string, state?: string): Promise<number> {
  const [{ count }] = await db('stock_reservations as r')
    .join('stock_orders as o', 'o.order_id', 'r.order_id')
    .where('r.option_id', optionId)
    .modify((q) => {
      if (state) q.where('o.state', state);
    })
    .count<{ count: string }[]>('* as count');
  return Number(count);
}
