import { randomUUID } from 'node:crypto';
import type { Http } from '../bench/lib/http';
import type { SeededRandom } from './killPlan';

export type ExchangeKind = 'claim' | 'place' | 'pay' | 'cancel';

/** One request as its client saw it: every attempt, and the answer it settled on. */
export interface Exchange {
  kind: ExchangeKind;
  token: string;
  method: 'POST';
  path: string;
  body?: unknown;
  /** The Idempotency-Key every attempt carried (claims and cancels need none). */
  key?: string;
  attempts: number;
  /** The last answer that was not worth repeating; absent if the client gave up. */
  answer?: { status: number; body: any };
  gaveUp: boolean;
  /** The last answer worth repeating (a status and code, or the connection's error), for the report. */
  lastFailure?: string;
}

/**
 * Card tokens the shoppers pay with, and how often: mostly approvals, and each of the
 * gateway simulator's faults (docs/payment-gateway.md): a decline, a 500 every time, a
 * hold then 504, a charge whose answer is dropped after it committed, a slow approval.
 */
export const CARD_TOKENS: readonly (readonly [token: string, weight: number])[] = [
  ['tok_visa', 55],
  ['tok_decline', 12],
  ['tok_drop', 10],
  ['tok_slow_2000', 10],
  ['tok_error', 8],
  ['tok_timeout', 5],
];

export interface ShopContext {
  http: Http;
  random: SeededRandom;
  optionIds: string[];
  couponIds: string[];
  /** How long one request is repeated before its client gives up. */
  giveUpMs: number;
  record(exchange: Exchange): void;
  /** Counts each card token used. */
  paidWith(token: string): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Worth repeating with the same key, as a real client would: the connection dropped or
 * was refused, a 5xx (503 says so), or another payment of the order still running.
 */
const worthRepeating = (answer: { status: number; body: any } | undefined): boolean =>
  answer === undefined || answer.status >= 500 || (answer.status === 409 && answer.body?.error?.code === 'PAYMENT_IN_PROGRESS');

/** Sends the exchange's request until it gets an answer not worth repeating, or `giveUpMs` has passed. */
export async function settle(http: Http, exchange: Exchange, giveUpMs: number): Promise<Exchange> {
  const deadline = Date.now() + giveUpMs;
  let backoff = 250;
  for (;;) {
    exchange.attempts += 1;
    let answer: { status: number; body: any } | undefined;
    try {
      const reply = await http.call(exchange.method, exchange.path, {
        token: exchange.token,
        body: exchange.body,
        headers: exchange.key ? { 'idempotency-key': exchange.key } : {},
      });
      answer = { status: reply.status, body: reply.body };
    } catch (error) {
      answer = undefined;
      exchange.lastFailure = (error as { code?: string }).code ?? String(error);
    }
    if (answer && worthRepeating(answer)) exchange.lastFailure = `${answer.status} ${answer.body?.error?.code ?? ''} ${answer.body?.error?.message ?? ''}`.trim();
    if (!worthRepeating(answer)) {
      exchange.answer = answer;
      exchange.gaveUp = false;
      return exchange;
    }
    if (Date.now() + backoff > deadline) {
      exchange.gaveUp = true;
      return exchange;
    }
    await sleep(backoff * (0.5 + Math.random()));
    backoff = Math.min(backoff * 2, 3_000);
  }
}

function weighted(random: SeededRandom, choices: readonly (readonly [string, number])[]): string {
  let draw = random.int(1, choices.reduce((sum, [, weight]) => sum + weight, 0));
  for (const [choice, weight] of choices) {
    draw -= weight;
    if (draw <= 0) return choice;
  }
  return choices[choices.length - 1][0];
}

/**
 * One customer's visit: maybe claim a coupon, place an order of one or two hot options
 * (with the coupon), then pay it (a declined card is sometimes followed by a good one),
 * cancel it, or leave it to expire.
 */
export async function shop(ctx: ShopContext, token: string): Promise<void> {
  const { random } = ctx;
  const send = async (kind: ExchangeKind, path: string, body?: unknown, key?: string) => {
    const exchange = await settle(ctx.http, { kind, token, method: 'POST', path, body, key, attempts: 0, gaveUp: false }, ctx.giveUpMs);
    ctx.record(exchange);
    return exchange.answer;
  };

  let userCouponId: string | undefined;
  if (ctx.couponIds.length > 0 && random.next() < 0.3) {
    const claimed = await send('claim', `/api/v1/coupons/${random.pick(ctx.couponIds)}/issue`);
    if (claimed?.status === 201) userCouponId = claimed.body.userCouponId;
    else if (claimed?.body?.error?.code === 'ALREADY_ISSUED') userCouponId = claimed.body.error.details?.userCouponId;
  }

  const [first, second] = random.shuffled(ctx.optionIds);
  const lines = [first, ...(second && random.next() < 0.2 ? [second] : [])].map((productOptionId) => ({ productOptionId, quantity: random.int(1, 2) }));
  const placed = await send('place', '/api/v1/orders', { items: lines, ...(userCouponId ? { userCouponId } : {}) }, randomUUID());
  if (placed?.status !== 201) return;
  const orderId: string = placed.body.orderId;

  const next = random.next();
  if (next < 0.6) {
    const card = weighted(random, CARD_TOKENS);
    ctx.paidWith(card);
    const paid = await send('pay', `/api/v1/orders/${orderId}/payment`, { cardToken: card }, randomUUID());
    if (paid?.status === 402 && random.next() < 0.5) {
      ctx.paidWith('tok_visa');
      await send('pay', `/api/v1/orders/${orderId}/payment`, { cardToken: 'tok_visa' }, randomUUID());
    }
  } else if (next < 0.75) {
    await send('cancel', `/api/v1/orders/${orderId}/cancel`);
  }
}
