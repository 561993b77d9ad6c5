import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { request, type HttpResult } from './http';
import type { TestUser } from './factories';
import type { TestStack } from './stack';

/** Client calls of the checkout API, as a shop's frontend makes them. */
export const placeOrder = (stack: TestStack, user: TestUser, body: unknown, key: string = randomUUID()): Promise<HttpResult> =>
  request(stack.baseUrl, 'POST', '/api/v1/orders', { token: user.token, body, headers: { 'idempotency-key': key } });

export const payOrder = (stack: TestStack, user: TestUser, orderId: string, cardToken: string, key: string = randomUUID()): Promise<HttpResult> =>
  request(stack.baseUrl, 'POST', `/api/v1/orders/${orderId}/payment`, { token: user.token, body: { cardToken }, headers: { 'idempotency-key': key } });

export const getOrder = (stack: TestStack, user: TestUser, orderId: string): Promise<HttpResult> =>
  request(stack.baseUrl, 'GET', `/api/v1/orders/${orderId}`, { token: user.token });

export const cancelOrder = (stack: TestStack, user: TestUser, orderId: string): Promise<HttpResult> =>
  request(stack.baseUrl, 'POST', `/api/v1/orders/${orderId}/cancel`, { token: user.token });

/** What the gateway's own ledger holds for an order: charges, refunds, and what is left charged. */
export async function ledgerOf(db: Knex, orderId: string): Promise<{ charges: number; refunds: number; net: number }> {
  const rows = await db('payment_gateway.ledger_entries').where({ order_id: orderId }).select('kind', 'amount');
  const sum = (kind: string) => rows.filter((r) => r.kind === kind).reduce((total, r) => total + Number(r.amount), 0);
  return {
    charges: rows.filter((r) => r.kind === 'CHARGE').length,
    refunds: rows.filter((r) => r.kind === 'REFUND').length,
    net: sum('CHARGE') - sum('REFUND'),
  };
}

export async function orderRow(db: Knex, orderId: string) {
  return db('orders').where({ id: orderId }).first();
}

export async function couponIsUsed(db: Knex, userCouponId: string): Promise<boolean> {
  const row = await db('user_coupons').where({ id: userCouponId }).first();
  return row.used_at !== null;
}

/**
 * How long a triggered Schedule may take to start its run: seconds when the machine is
 * idle, but a CI machine under a whole suite's load was seen to need more than 30 s.
 */
export const SCHEDULE_RUN_WITHIN_MS = 90_000;

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
