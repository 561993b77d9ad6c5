import type { Knex } from 'knex';
import type { Http } from '../bench/lib/http';
import type { Violation } from './invariants';
import { settle, type Exchange } from './shopper';

/** What a later answer must repeat of an earlier one under the same key: the ids it named, or the refusal's code. */
function gist(answer: { status: number; body: any }): string {
  if (answer.status >= 400) return `${answer.status} ${answer.body?.error?.code}`;
  return `${answer.status} ${answer.body?.orderId ?? ''} ${answer.body?.paymentKey ?? ''}`;
}

/**
 * The books as the clients saw them, checked once the platform is quiet: every request
 * got an answer in the end; every 2xx still holds (its order exists with the amount it
 * was told, a payment's order is COMPLETED under that payment, a cancelled order is
 * CANCELLED, a claimed coupon exists); and every key, asked again, answers as it did.
 */
export async function checkClientView(deps: { db: Knex; http: Http; giveUpMs: number; concurrency: number }, exchanges: Exchange[]): Promise<{ violations: Violation[]; asked: number }> {
  const { db } = deps;
  const violations: Violation[] = [];
  const violated = (rule: string, exchange: Exchange, detail: string) =>
    violations.push({ rule, ids: { path: exchange.path, ...(exchange.key ? { idempotencyKey: exchange.key } : {}) }, detail });

  for (const exchange of exchanges) {
    const { answer } = exchange;
    if (!answer) {
      violated('request-answered', exchange, `no answer after ${exchange.attempts} attempts; the last: ${exchange.lastFailure}`);
      continue;
    }
    if (answer.status >= 300) continue;
    if (exchange.kind === 'claim') {
      const row = await db('user_coupons').where({ id: answer.body.userCouponId }).first();
      if (!row) violated('answer-holds', exchange, `claimed coupon ${answer.body.userCouponId} does not exist`);
    } else {
      const orderId: string = answer.body.orderId;
      const row = await db('orders').where({ id: orderId }).first();
      if (!row) violated('answer-holds', exchange, `order ${orderId} does not exist`);
      else if (exchange.kind === 'place' && row.final_amount !== answer.body.finalAmount) {
        violated('answer-holds', exchange, `order ${orderId} was placed for ${answer.body.finalAmount} and is now ${row.final_amount}`);
      } else if (exchange.kind === 'pay' && (row.status !== 'COMPLETED' || row.payment_key !== answer.body.paymentKey)) {
        violated('answer-holds', exchange, `order ${orderId} was paid with ${answer.body.paymentKey} and is now ${row.status} with ${row.payment_key}`);
      } else if (exchange.kind === 'cancel' && row.status !== 'CANCELLED') {
        violated('answer-holds', exchange, `order ${orderId} was cancelled and is now ${row.status}`);
      }
    }
  }

  const keyed = exchanges.filter((e) => e.key && e.answer);
  for (let i = 0; i < keyed.length; i += deps.concurrency) {
    await Promise.all(
      keyed.slice(i, i + deps.concurrency).map(async (exchange) => {
        const again = await settle(deps.http, { ...exchange, attempts: 0, answer: undefined, gaveUp: false }, deps.giveUpMs);
        if (!again.answer) violated('key-answers-the-same', exchange, `first ${gist(exchange.answer!)}, now no answer`);
        else if (gist(again.answer) !== gist(exchange.answer!)) violated('key-answers-the-same', exchange, `first ${gist(exchange.answer!)}, now ${gist(again.answer)}`);
      }),
    );
  }
  return { violations, asked: keyed.length };
}
