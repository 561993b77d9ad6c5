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
/** The catalogue the history bought from, one option each, the orders spread evenly over it. */
const HISTORY_PRODUCTS = 200;

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
    const optionIds = await historicalOptions(client, run);
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
                  now() - make_interval(secs => ($2::int + n)) as at,
                  ($5::uuid[])[1 + ($2::int + n) % cardinality($5::uuid[])] as option_id
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
           select o.id, p.option_id, po.product_id, 'history', 'Default', 1000, 1, 1000
           from orders_written o join placed p on p.id = o.id join product_options po on po.id = p.option_id
         ), stock_moves as (
           insert into stock_orders (order_id, state, created_at, updated_at)
           select id, 'CONFIRMED', created_at, created_at from orders_written
           returning order_id
         ), reservations as (
           insert into stock_reservations (order_id, option_id, quantity)
           select m.order_id, p.option_id, 1 from stock_moves m join placed p on p.id = m.order_id
         ), sold as (
           update stocks s set sold = s.sold + x.units, total = s.total + x.units
           from (select option_id, count(*)::int as units from placed group by option_id) x
           where s.option_id = x.option_id
         ), answers as (
           insert into idempotency_records (user_id, scope, key, request_hash, response_status, response_body, created_at, completed_at)
           select user_id, 'place-order', idempotency_key, 'history', 201, jsonb_build_object('orderId', id), created_at, created_at from orders_written
           union all
           select user_id, 'pay-order:' || id, idempotency_key, 'history', 200, jsonb_build_object('orderId', id), created_at, created_at from orders_written
         )
         select count(*) from orders_written`,
        [run, done, size, ORDERS_PER_CUSTOMER, optionIds],
      );
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

/**
 * The products the history bought, one option each: their sold counts grow with it, and
 * the popular-products rollup gets a row per product per hour, as a real catalogue does.
 */
async function historicalOptions(client: Client, run: string): Promise<string[]> {
  const { rows } = await client.query(
    `with products_made as (
       insert into products (name, description, price, category)
       select 'history ' || $1 || ' ' || n, null, 1000, 'history' from generate_series(1, $2::int) n
       returning id
     ), options_made as (
       insert into product_options (product_id, type, name, additional_price, position)
       select id, 'DEFAULT', 'Default', 0, 0 from products_made
       returning id
     ), stocks_made as (
       insert into stocks (option_id, total, available) select id, 0, 0 from options_made
     )
     select id from options_made`,
    [run, HISTORY_PRODUCTS],
  );
  return rows.map((r: { id: string }) => r.id);
}
