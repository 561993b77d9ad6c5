import type { Knex } from 'knex';

export interface CartItem {
  id: string;
  optionId: string;
  quantity: number;
  productName: string;
  optionName: string;
  unitPrice: number;
  updatedAt: Date;
}

const toCartItem = (r: Record<string, any>): CartItem => ({
  id: r.id,
  optionId: r.option_id,
  quantity: r.quantity,
  productName: r.product_name,
  optionName: r.option_name,
  unitPrice: r.unit_price,
  updatedAt: r.updated_at,
});

export function createCartRepository(db: Knex) {
  return {
    async list(userId: string, trx: Knex = db): Promise<CartItem[]> {
      const rows = await trx('cart_items').where({ user_id: userId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
      return rows.map(toCartItem);
    },

    async find(userId: string, itemId: string): Promise<CartItem | undefined> {
      const row = await db('cart_items').where({ user_id: userId, id: itemId }).first();
      return row ? toCartItem(row) : undefined;
    },

    /**
     * Adds to the customer's line for the option, creating it if needed, in one atomic
     * upsert: two tabs adding the same option at once add both quantities. The snapshot
     * (names, unit price) is refreshed to what the customer saw last. `maxQuantity`
     * bounds the line's new quantity; null when the line would exceed it (nothing written).
     */
    async add(
      userId: string,
      line: { optionId: string; quantity: number; productName: string; optionName: string; unitPrice: number },
      maxQuantity: number,
    ): Promise<CartItem | null> {
      const [row] = await db('cart_items')
        .insert({
          user_id: userId,
          option_id: line.optionId,
          quantity: line.quantity,
          product_name: line.productName,
          option_name: line.optionName,
          unit_price: line.unitPrice,
        })
        .onConflict(['user_id', 'option_id'])
        .merge({
          quantity: db.raw('cart_items.quantity + excluded.quantity'),
          product_name: db.raw('excluded.product_name'),
          option_name: db.raw('excluded.option_name'),
          unit_price: db.raw('excluded.unit_price'),
          updated_at: db.fn.now(),
        })
        .where('cart_items.quantity', '<=', maxQuantity - line.quantity)
        .returning('*');
      if (row) return row.quantity <= maxQuantity ? toCartItem(row) : null;
      return null;
    },

    async setQuantity(userId: string, itemId: string, quantity: number): Promise<CartItem | undefined> {
      const [row] = await db('cart_items')
        .where({ user_id: userId, id: itemId })
        .update({ quantity, updated_at: db.fn.now() })
        .returning('*');
      return row ? toCartItem(row) : undefined;
    },

    async remove(userId: string, itemId: string): Promise<boolean> {
      return (await db('cart_items').where({ user_id: userId, id: itemId }).delete()) === 1;
    },

    async clear(userId: string): Promise<number> {
      return db('cart_items').where({ user_id: userId }).delete();
    },

    /**
     * Takes the quantities an order was built from out of the cart: a line is removed if
     * it still holds what was read, and only reduced if the customer added to it since
     * (those units were not ordered). A line already gone is skipped.
     */
    async takeOut(trx: Knex, userId: string, lines: { id: string; quantity: number }[]): Promise<void> {
      for (const line of lines) {
        await trx('cart_items').where({ user_id: userId, id: line.id }).where('quantity', '<=', line.quantity).delete();
        await trx('cart_items')
          .where({ user_id: userId, id: line.id })
          .where('quantity', '>', line.quantity)
          .update({ quantity: trx.raw('quantity - ?', [line.quantity]), updated_at: trx.fn.now() });
      }
    },
  };
}

export type CartRepository = ReturnType<typeof createCartRepository>;
