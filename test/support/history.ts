import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * An order as history holds it, written straight into PostgreSQL: its status, when it
 * was paid (COMPLETED only, as the schema demands) and when it last changed. Units
 * are the caller's (the popular products tests use millions, to outsell anything other
 * test files sell). Returns its id.
 */
export async function historicalOrder(
  db: Knex,
  input: { userId: string; productId: string; optionId: string; quantity: number; status: string; paidAt?: Date; updatedAt?: Date },
): Promise<string> {
  const id = randomUUID();
  await db('orders').insert({
    id,
    user_id: input.userId,
    idempotency_key: `history-${id}`,
    request_hash: 'history',
    workflow_id: `history:${id}`,
    status: input.status,
    total_amount: input.quantity,
    discount_amount: 0,
    final_amount: input.quantity,
    reservation_expires_at: new Date(),
    paid_at: input.status === 'COMPLETED' ? input.paidAt : null,
    updated_at: input.updatedAt ?? new Date(),
  });
  await db('order_items').insert({
    order_id: id,
    option_id: input.optionId,
    product_id: input.productId,
    product_name: 'history',
    option_name: 'S0',
    unit_price: 1,
    quantity: input.quantity,
    line_amount: input.quantity,
  });
  return id;
}
