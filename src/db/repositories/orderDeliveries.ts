import type { Knex } from 'knex';
import type { CompletedOrderRecord } from '../../contracts/orderDelivery';
import { COMPLETED_ORDER_SCHEMA_VERSION } from '../../contracts/orderDelivery';

/** How an attempt failed; see the migration's `last_failure`. */
export type DeliveryFailure = 'outage' | 'failed' | 'refused';

export interface DueDelivery {
  orderId: string;
  payload: CompletedOrderRecord;
  attempts: number;
}

/** One order's delivery, as ops read it. */
export interface DeliveryState {
  orderId: string;
  createdAt: Date;
  attempts: number;
  nextAttemptAt: Date;
  firstFailedAt: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

interface DeliveryRow {
  order_id: string;
  created_at: Date;
  attempts: number;
  next_attempt_at: Date;
  first_failed_at: Date | null;
  last_error: string | null;
  delivered_at: Date | null;
}

/** waiting: not delivered yet; failing: not delivered and failed at least once; delivered. */
export type DeliveryFilter = 'waiting' | 'failing' | 'delivered';

export interface DeliveryBacklog {
  undelivered: number;
  stuck: number;
  oldestStuck: { orderId: string; attempts: number; failingSince: Date; lastError: string | null } | null;
}

/** How long a failing delivery waits before its next attempt: doubling, jittered, capped. */
export interface DeliveryBackoff {
  initialMs: number;
  maxMs: number;
}

const MAX_ERROR_LENGTH = 2000;

/**
 * The completed order as the data platform receives it, built by PostgreSQL from the rows
 * the completing transaction holds: one statement, no round trips on the checkout path.
 */
const PAYLOAD_SQL = `
  select o.id, json_build_object(
    'schemaVersion', ${COMPLETED_ORDER_SCHEMA_VERSION}::int,
    'orderId', o.id,
    'customer', json_build_object('id', o.user_id),
    'items', (
      select coalesce(json_agg(json_build_object(
        'productId', i.product_id, 'productOptionId', i.option_id, 'productName', i.product_name,
        'optionName', i.option_name, 'unitPrice', i.unit_price, 'quantity', i.quantity, 'lineAmount', i.line_amount
      ) order by i.product_name, i.option_name, i.option_id), '[]'::json)
      from order_items i where i.order_id = o.id
    ),
    'amounts', json_build_object('total', o.total_amount, 'discount', o.discount_amount, 'final', o.final_amount),
    'coupon', (
      select json_build_object('userCouponId', uc.id, 'couponId', c.id, 'name', c.name, 'discountType', c.discount_type, 'discountValue', c.discount_value)
      from user_coupons uc join coupons c on c.id = uc.coupon_id where uc.id = o.user_coupon_id
    ),
    'paymentKey', o.payment_key,
    'paidAt', to_char(o.paid_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
  )::jsonb
  from orders o where o.id = ?`;

export function createOrderDeliveryRepository(db: Knex) {
  return {
    /**
     * The order's delivery, written by the transaction that completes it (so a completion
     * never lacks one); a retried completion finds it there.
     */
    async enqueue(trx: Knex.Transaction, orderId: string): Promise<void> {
      await trx.raw(`insert into order_deliveries (order_id, payload) ${PAYLOAD_SQL} on conflict (order_id) do nothing`, [orderId]);
    },

    /**
     * The order's delivery, whatever its state (what a replay sends again), queued now if
     * the order is COMPLETED without one (it completed before deliveries existed);
     * undefined for any other order.
     */
    async ensureFor(orderId: string): Promise<(DueDelivery & { deliveredAt: Date | null }) | undefined> {
      await db.raw(`insert into order_deliveries (order_id, payload) ${PAYLOAD_SQL} and o.status = 'COMPLETED' on conflict (order_id) do nothing`, [orderId]);
      const row = await db('order_deliveries').where({ order_id: orderId }).first('order_id', 'payload', 'attempts', 'delivered_at');
      return row ? { orderId: row.order_id, payload: row.payload, attempts: row.attempts, deliveredAt: row.delivered_at } : undefined;
    },

    /**
     * Up to `limit` deliveries that are due and not held by another drain, oldest first,
     * now held by this one for `leaseMs`: two drains never send the same row at once,
     * and a drain that dies lets its rows go when the lease runs out.
     */
    async claimDue(limit: number, leaseMs: number): Promise<DueDelivery[]> {
      const { rows } = await db.raw<{ rows: { order_id: string; payload: CompletedOrderRecord; attempts: number }[] }>(
        `update order_deliveries d
            set leased_until = clock_timestamp() + make_interval(secs => ?::float8 / 1000)
           from (select order_id from order_deliveries
                  where delivered_at is null and next_attempt_at <= clock_timestamp()
                    and (leased_until is null or leased_until < clock_timestamp())
                  order by next_attempt_at
                  limit ? for update skip locked) due
          where d.order_id = due.order_id
        returning d.order_id, d.payload, d.attempts`,
        [leaseMs, limit],
      );
      return rows.map((r) => ({ orderId: r.order_id, payload: r.payload, attempts: r.attempts }));
    },

    async markDelivered(orderIds: string[]): Promise<void> {
      if (!orderIds.length) return;
      await db.raw(
        `update order_deliveries
            set delivered_at = coalesce(delivered_at, clock_timestamp()), leased_until = null, last_error = null
          where order_id = any(?::uuid[])`,
        [orderIds],
      );
    },

    /** Counts a failed attempt and sets the next one after the backoff its attempts earn. */
    async markFailed(failures: { orderId: string; error: string; failure: DeliveryFailure }[], backoff: DeliveryBackoff): Promise<void> {
      if (!failures.length) return;
      await db.raw(
        `update order_deliveries d
            set attempts = d.attempts + 1,
                first_failed_at = coalesce(d.first_failed_at, clock_timestamp()),
                last_error = f.error,
                last_failure = f.failure,
                leased_until = null,
                -- 0.75 to 1.25 of the doubled delay (so rows failed together spread out
                -- again), never more than the max.
                next_attempt_at = clock_timestamp() + make_interval(secs => least(?::float8 * power(2, least(d.attempts, 30)) * (0.75 + random() / 2), ?::float8) / 1000)
           from unnest(?::uuid[], ?::text[], ?::text[]) as f(order_id, error, failure)
          where d.order_id = f.order_id and d.delivered_at is null`,
        [backoff.initialMs, backoff.maxMs, failures.map((f) => f.orderId), failures.map((f) => f.error.slice(0, MAX_ERROR_LENGTH)), failures.map((f) => f.failure)],
      );
    },

    /**
     * Makes due now every delivery backing off because of an outage (a round in which
     * nothing got through), not those that failed while others went through or that were
     * refused: called once the data platform takes deliveries again, so an outage's
     * backlog goes out at once instead of each row waiting out its own backoff.
     */
    async resumeAfterOutage(): Promise<number> {
      return db('order_deliveries')
        .whereNull('delivered_at')
        .where({ last_failure: 'outage' })
        .where('next_attempt_at', '>', db.raw('clock_timestamp()'))
        .update({ next_attempt_at: db.raw('clock_timestamp()') });
    },

    /** A page of deliveries in one state: the waiting and failing oldest first, the delivered newest first. */
    async list(options: { state: DeliveryFilter; page: number; limit: number }): Promise<{ deliveries: DeliveryState[]; total: number }> {
      const inState = (query: Knex.QueryBuilder) => {
        if (options.state === 'delivered') return query.whereNotNull('delivered_at');
        query.whereNull('delivered_at');
        return options.state === 'failing' ? query.where('attempts', '>', 0) : query;
      };
      const [{ total }] = (await inState(db('order_deliveries')).count({ total: '*' })) as { total: string }[];
      const rows: DeliveryRow[] = await inState(db('order_deliveries'))
        .select('order_id', 'created_at', 'attempts', 'next_attempt_at', 'first_failed_at', 'last_error', 'delivered_at')
        .orderBy(options.state === 'delivered' ? [{ column: 'delivered_at', order: 'desc' }, { column: 'order_id' }] : [{ column: 'created_at' }, { column: 'order_id' }])
        .limit(options.limit)
        .offset((options.page - 1) * options.limit);
      return {
        total: Number(total),
        deliveries: rows.map((r) => ({
          orderId: r.order_id,
          createdAt: r.created_at,
          attempts: r.attempts,
          nextAttemptAt: r.next_attempt_at,
          firstFailedAt: r.first_failed_at,
          lastError: r.last_error,
          deliveredAt: r.delivered_at,
        })),
      };
    },

    /** How many deliveries wait, and for how long the oldest has (0 when none): what ops graph and alert on. */
    async waiting(): Promise<{ count: number; oldestAgeSeconds: number }> {
      const { rows } = await db.raw<{ rows: { count: number; oldest: number | null }[] }>(
        `select count(*)::int as count, extract(epoch from clock_timestamp() - min(created_at))::float8 as oldest
           from order_deliveries where delivered_at is null`,
      );
      return { count: rows[0].count, oldestAgeSeconds: rows[0].oldest ?? 0 };
    },

    /** What is left to deliver, and what has been failing for longer than `stuckAfterMs`. */
    async backlog(stuckAfterMs: number): Promise<DeliveryBacklog> {
      const [counts] = (
        await db.raw<{ rows: { undelivered: number; stuck: number }[] }>(
          `select count(*)::int as undelivered,
                  count(*) filter (where first_failed_at < clock_timestamp() - make_interval(secs => ?::float8 / 1000))::int as stuck
             from order_deliveries where delivered_at is null`,
          [stuckAfterMs],
        )
      ).rows;
      const oldest = counts.stuck
        ? await db('order_deliveries')
            .whereNull('delivered_at')
            .whereNotNull('first_failed_at')
            .orderBy('first_failed_at')
            .first('order_id', 'attempts', 'first_failed_at', 'last_error')
        : undefined;
      return {
        undelivered: counts.undelivered,
        stuck: counts.stuck,
        oldestStuck: oldest ? { orderId: oldest.order_id, attempts: oldest.attempts, failingSince: oldest.first_failed_at, lastError: oldest.last_error } : null,
      };
    },
  };
}

export type OrderDeliveryRepository = ReturnType<typeof createOrderDeliveryRepository>;
