import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * Past trading for the growth scenario: completed orders written straight into the
 * platform's database with set-based SQL, shaped as the platform writes them (an order
 * with its item snapshot, its confirmed stock reservation, and the idempotency records of
 * its placement and payment), so every table the hot path touches grows as it would in
 * production. Customers are added alongside, about twenty orders each.
 *
 * Written in chunks so a million orders never sit in one transaction (the WAL and the
 * platform's own traffic stay moderate).
 */
const CHUNK = 50_000;
const ORDERS_PER_CUSTOMER = 20;

export async function seedHistoricalOrders(
  databaseUrl: string,
  count: number,
  progress: (done: number) => void,
  chunk = CHUNK,
): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const run = randomUUID().slice(0, 8);
    const optionId = await historicalOption(client, run);
    for (let done = 0; done < count; done += chunk) {
      const size = Math.min(chunk, count - done);
      await client.query('begin');
      await client.query(
        `insert into users (email, password_hash, name)
         select 'history-' || $1 || '-' || ($2::int + n) || '@bench.example', 'not a password hash: never logs in', 'History'
         from generate_series(0, ceil($3::numeric / $4)::int - 1) n`,
        [run, done / ORDERS_PER_CUSTOMER, size, ORDERS_PER_CUSTOMER],
      );
      // One statement builds the chunk's orders and hands their ids to the child tables
      // (foreign keys are checked at the end of the statement, after every part ran).
      await client.query(
        `with customers as (
           select id, row_number() over () - 1 as slot from users where email like 'history-' || $1 || '-%' and created_at = now()
         ), placed as (
           select gen_random_uuid() as id, c.id as user_id, 'history-' || $1 || '-' || ($2::int + n) as key,
                  now() - make_interval(secs => ($2::int + n)) as at
           from generate_series(0, $3::int - 1) n
           join customers c on c.slot = n / $4
         ), orders_written as (
           insert into orders (id, user_id, idempotency_key, request_hash, workflow_id, status, total_amount, discount_amount,
                               final_amount, reservation_expires_at, saga_workflow_id, payment_request_key, payment_key, paid_at,
                               created_at, updated_at)
           select id, user_id, key, 'history', 'order:history:' || id, 'COMPLETED', 1000, 0, 1000, at + interval '15 minutes',
                  'complete-order:' || id || ':1', key, 'order-' || id || '-payment-1', at + interval '10 seconds', at, at
           from placed
           returning id, user_id, idempotency_key, created_at
         ), items as (
           insert into order_items (order_id, option_id, product_id, product_name, option_name, unit_price, quantity, line_amount)
           select o.id, $5::uuid, p.product_id, 'history', 'Default', 1000, 1, 1000
           from orders_written o, (select product_id from product_options where id = $5::uuid) p
         ), stock_moves as (
           insert into stock_orders (order_id, state, created_at, updated_at)
           select id, 'CONFIRMED', created_at, created_at from orders_written
           returning order_id
         ), reservations as (
           insert into stock_reservations (order_id, option_id, quantity)
           select order_id, $5::uuid, 1 from stock_moves
         ), answers as (
           insert into idempotency_records (user_id, scope, key, request_hash, response_status, response_body, created_at, completed_at)
           select user_id, 'place-order', idempotency_key, 'history', 201, jsonb_build_object('orderId', id), created_at, created_at from orders_written
           union all
           select user_id, 'pay-order:' || id, idempotency_key, 'history', 200, jsonb_build_object('orderId', id), created_at, created_at from orders_written
         )
         select count(*) from orders_written`,
        [run, done, size, ORDERS_PER_CUSTOMER, optionId],
      );
      await client.query(`update stocks set sold = sold + $2, total = total + $2 where option_id = $1`, [optionId, size]);
      await client.query('commit');
      progress(done + size);
    }
    // Fresh statistics, as autovacuum would have gathered over the months this history took.
    await client.query('analyze');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** The product every historical order bought: its sold count grows with the history. */
async function historicalOption(client: Client, run: string): Promise<string> {
  const product = await client.query(`insert into products (name, description, price, category) values ($1, null, 1000, 'history') returning id`, [
    `history ${run}`,
  ]);
  const option = await client.query(
    `insert into product_options (product_id, type, name, additional_price, position) values ($1, 'DEFAULT', 'Default', 0, 0) returning id`,
    [product.rows[0].id],
  );
  await client.query(`insert into stocks (option_id, total, available) values ($1, 0, 0)`, [option.rows[0].id]);
  return option.rows[0].id;
}
