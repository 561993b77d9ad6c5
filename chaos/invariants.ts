import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { SCHEMA as GATEWAY_SCHEMA } from '../src/paymentGatewaySimulator/migrations';

/**
 * What must hold across the platform's books once the load has stopped and the
 * workflows are quiet, whatever was killed meanwhile: money (orders against the
 * gateway's ledger), stock (counts against the orders holding it), coupons (issued
 * counts against rows, each used coupon against its order), time (no order left waiting
 * past its expiry) and Temporal (no workflow failed but sagas that compensated on
 * purpose). Each violation names its rule and the ids involved.
 */
export interface Violation {
  rule: string;
  ids: Record<string, string>;
  detail: string;
}

export interface InvariantReport {
  violations: Violation[];
  /** Sagas still flagged NeedsAttention: not a violation, but ops' queue. */
  needsAttention: number;
  checked: { orders: number; options: number; coupons: number; liveCharges: number; failedWorkflows: number };
}

export interface InvariantOptions {
  db: Knex;
  /** With a client, Temporal's visibility is checked too (the workflows of `taskQueue` only, if given). */
  client?: Client;
  taskQueue?: string;
  now?: Date;
  /** How long past its expiry an order may still wait for its workflow to close it. */
  pendingGraceMs?: number;
}

const LIVE_ORDER_STATES = ['PENDING_PAYMENT', 'COMPLETED'];

export async function checkInvariants(options: InvariantOptions): Promise<InvariantReport> {
  const { db } = options;
  const now = options.now ?? new Date();
  const violations: Violation[] = [];
  const violated = (rule: string, ids: Record<string, string>, detail: string) => violations.push({ rule, ids, detail });
  const payments = `${GATEWAY_SCHEMA}.payments`;

  // Money: a COMPLETED order has exactly one live charge, of its final amount; no other
  // order has one; no live charge lacks an order.
  const charged = await db('orders as o')
    .leftJoin(db(payments).where({ status: 'DONE' }).as('p'), 'p.order_id', db.raw('o.id::text'))
    .groupBy('o.id', 'o.status', 'o.final_amount')
    .select('o.id', 'o.status', 'o.final_amount', db.raw('count(p.payment_key)::int as live'), db.raw('coalesce(sum(p.amount), 0)::bigint as charged'));
  for (const o of charged) {
    if (o.status === 'COMPLETED' && (o.live !== 1 || Number(o.charged) !== o.final_amount)) {
      violated('completed-order-charged-once', { orderId: o.id }, `${o.live} live charge(s) totalling ${o.charged}, final amount ${o.final_amount}`);
    }
    if (o.status !== 'COMPLETED' && o.live > 0) {
      violated('unpaid-order-not-charged', { orderId: o.id }, `${o.status} with ${o.live} live charge(s) totalling ${o.charged}`);
    }
  }
  const orphanCharges = await db(payments)
    .where({ status: 'DONE' })
    .whereNotExists(db('orders').whereRaw(`orders.id::text = ${payments}.order_id`))
    .select('payment_key', 'order_id', 'amount');
  for (const p of orphanCharges) violated('charge-has-order', { paymentKey: p.payment_key, orderId: p.order_id }, `a live charge of ${p.amount} for no order`);
  const liveCharges = Number((await db(payments).where({ status: 'DONE' }).count({ n: '*' }).first())?.n ?? 0);

  // Stock: sold is what COMPLETED orders hold, reserved what PENDING_PAYMENT orders hold
  // (that the counts add up to the total is a CHECK in the schema).
  const held = (status: string) =>
    db('order_items as i').join('orders as o', 'o.id', 'i.order_id').where('o.status', status).groupBy('i.option_id').select('i.option_id', db.raw('sum(i.quantity)::int as quantity'));
  const sold = new Map((await held('COMPLETED')).map((r: any) => [r.option_id, r.quantity]));
  const reserved = new Map((await held('PENDING_PAYMENT')).map((r: any) => [r.option_id, r.quantity]));
  const stocks = await db('stocks').select('option_id', 'sold', 'reserved');
  for (const s of stocks) {
    const soldByOrders = sold.get(s.option_id) ?? 0;
    const reservedByOrders = reserved.get(s.option_id) ?? 0;
    if (s.sold !== soldByOrders) violated('stock-sold-matches-orders', { optionId: s.option_id }, `sold ${s.sold}, COMPLETED orders hold ${soldByOrders}`);
    if (s.reserved !== reservedByOrders) {
      violated('stock-reserved-matches-orders', { optionId: s.option_id }, `reserved ${s.reserved}, PENDING_PAYMENT orders hold ${reservedByOrders}`);
    }
  }

  // Coupons: the issued count is the rows issued; a used coupon belongs to a live order;
  // a live order's coupon is used by it; an ended order's coupon is free again.
  const issued = await db('coupons as c')
    .leftJoin('user_coupons as u', 'u.coupon_id', 'c.id')
    .groupBy('c.id', 'c.issued_quantity')
    .select('c.id', 'c.issued_quantity', db.raw('count(u.id)::int as rows'));
  for (const c of issued) {
    if (c.issued_quantity !== c.rows) violated('coupon-issued-count', { couponId: c.id }, `issued_quantity ${c.issued_quantity}, ${c.rows} issued rows`);
  }
  const usedCoupons = await db('user_coupons as u')
    .leftJoin('orders as o', 'o.id', 'u.used_order_id')
    .whereNotNull('u.used_at')
    .select('u.id', 'u.used_order_id', 'o.status');
  for (const u of usedCoupons) {
    if (!u.status || !LIVE_ORDER_STATES.includes(u.status)) {
      violated('used-coupon-has-live-order', { userCouponId: u.id, orderId: u.used_order_id ?? '' }, `used by an order that is ${u.status ?? 'missing'}`);
    }
  }
  const ordersWithCoupons = await db('orders as o')
    .join('user_coupons as u', 'u.id', 'o.user_coupon_id')
    .select('o.id', 'o.status', 'u.id as user_coupon_id', 'u.used_at', 'u.used_order_id');
  for (const o of ordersWithCoupons) {
    const usedByThisOrder = o.used_at !== null && o.used_order_id === o.id;
    if (LIVE_ORDER_STATES.includes(o.status) && !usedByThisOrder) {
      violated('live-order-holds-its-coupon', { orderId: o.id, userCouponId: o.user_coupon_id }, `${o.status}, but its coupon is not marked used by it`);
    }
    if (!LIVE_ORDER_STATES.includes(o.status) && usedByThisOrder) {
      violated('ended-order-coupon-returned', { orderId: o.id, userCouponId: o.user_coupon_id }, `${o.status}, and its coupon is still used by it`);
    }
  }

  // Time: nothing waits for payment long past its reservation.
  const graceMs = options.pendingGraceMs ?? 60_000;
  const stale = await db('orders')
    .where('status', 'PENDING_PAYMENT')
    .where('reservation_expires_at', '<', new Date(now.getTime() - graceMs))
    .select('id', 'reservation_expires_at');
  for (const o of stale) violated('pending-order-expires', { orderId: o.id }, `still PENDING_PAYMENT, its reservation ended at ${o.reservation_expires_at.toISOString()}`);

  const workflows = options.client ? await checkWorkflows(options.client, { taskQueue: options.taskQueue }) : { violations: [], needsAttention: 0, failed: 0 };
  violations.push(...workflows.violations);

  return {
    violations,
    needsAttention: workflows.needsAttention,
    checked: { orders: charged.length, options: stocks.length, coupons: issued.length, liveCharges, failedWorkflows: workflows.failed },
  };
}

/**
 * Temporal's side: no workflow Failed but sagas that compensated on purpose (a
 * completeOrder whose failure is ORDER_FAILED), and how many sagas still need attention.
 */
export async function checkWorkflows(client: Client, scope: { taskQueue?: string } = {}) {
  const within = scope.taskQueue ? ` AND TaskQueue = "${scope.taskQueue}"` : '';
  const violations: Violation[] = [];
  let failed = 0;
  for await (const wf of client.workflow.list({ query: `ExecutionStatus = "Failed"${within}` })) {
    failed += 1;
    const failure = await client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .result()
      .then(
        () => 'none',
        (error: any) => String(error?.cause?.type || error?.cause?.message || error),
      );
    if (!(wf.type === 'completeOrder' && failure === 'ORDER_FAILED')) {
      violations.push({ rule: 'workflow-failed-on-purpose', ids: { workflowId: wf.workflowId, runId: wf.runId }, detail: `${wf.type} failed: ${failure}` });
    }
  }
  let needsAttention = 0;
  for await (const _ of client.workflow.list({ query: `NeedsAttention = true AND ExecutionStatus = "Running"${within}` })) needsAttention += 1;
  return { violations, needsAttention, failed };
}
