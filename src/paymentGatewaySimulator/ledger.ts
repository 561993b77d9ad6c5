import type { Knex } from 'knex';
import { TABLES } from './migrations';
import { isUniqueViolation } from '../db/pgErrors';

export type PaymentStatus = 'DONE' | 'CANCELED';

export interface Payment {
  paymentKey: string;
  orderId: string;
  amount: number;
  status: PaymentStatus;
  approvedAt: Date;
  canceledAt: Date | null;
  refundFailuresRemaining: number;
}

export interface LedgerEntry {
  paymentKey: string;
  orderId: string;
  kind: 'CHARGE' | 'REFUND';
  amount: number;
}

const toPayment = (r: Record<string, any>): Payment => ({
  paymentKey: r.payment_key,
  orderId: r.order_id,
  // bigint arrives as a string; amounts are checked to be safe integers on the way in.
  amount: Number(r.amount),
  status: r.status,
  approvedAt: r.approved_at,
  canceledAt: r.canceled_at,
  refundFailuresRemaining: r.refund_failures_remaining,
});

const isLiveChargeConflict = (error: unknown): boolean => isUniqueViolation(error, 'payments_one_live_charge_per_order');

/** Payments and the money they moved, in the simulator's own schema. */
/** The ledger's line for a money movement: every charge and every refund leaves one. */
const recordEntry = (trx: Knex.Transaction, payment: { paymentKey: string; orderId: string; amount: number }, kind: 'CHARGE' | 'REFUND') =>
  trx(TABLES.ledgerEntries).insert({ payment_key: payment.paymentKey, order_id: payment.orderId, kind, amount: payment.amount });

export function createLedgerRepository(db: Knex) {
  const findLiveByOrder = async (trx: Knex, orderId: string): Promise<Payment | undefined> => {
    const row = await trx(TABLES.payments).where({ order_id: orderId, status: 'DONE' }).first();
    return row ? toPayment(row) : undefined;
  };

  return {
    findLiveByOrder,

    /**
     * Payments approved in [from, to), oldest first, a page at a time: `after` is the last
     * payment of the previous page (approval time, then key, break ties).
     */
    async listApprovedBetween(window: { from: Date; to: Date; after?: { approvedAt: Date; paymentKey: string }; limit: number }): Promise<Payment[]> {
      const query = db(TABLES.payments).where('approved_at', '>=', window.from).andWhere('approved_at', '<', window.to);
      if (window.after) {
        const { approvedAt, paymentKey } = window.after;
        query.andWhere((q) => q.where('approved_at', '>', approvedAt).orWhere((t) => t.where('approved_at', approvedAt).andWhere('payment_key', '>', paymentKey)));
      }
      const rows = await query.orderBy([{ column: 'approved_at' }, { column: 'payment_key' }]).limit(window.limit);
      return rows.map(toPayment);
    },

    async listByOrder(orderId: string): Promise<Payment[]> {
      const rows = await db(TABLES.payments).where({ order_id: orderId }).orderBy([{ column: 'approved_at' }, { column: 'payment_key' }]);
      return rows.map(toPayment);
    },

    /**
     * Writes the payment and its CHARGE entry. Two charges of one order under different
     * keys can both pass the caller's ALREADY_PAID check; the partial unique index lets
     * only one commit. The loser's insert runs in a savepoint, so its transaction (and
     * the idempotency lock it holds) survives to answer with the winner's payment.
     */
    async recordCharge(
      trx: Knex.Transaction,
      charge: { paymentKey: string; orderId: string; amount: number; cardToken: string; refundFailures: number },
    ): Promise<{ payment: Payment; created: boolean }> {
      try {
        const payment = await trx.transaction(async (savepoint) => {
          const [row] = await savepoint(TABLES.payments)
            .insert({
              payment_key: charge.paymentKey,
              order_id: charge.orderId,
              amount: charge.amount,
              card_token: charge.cardToken,
              status: 'DONE',
              approved_at: new Date(),
              refund_failures_remaining: charge.refundFailures,
            })
            .returning('*');
          await recordEntry(savepoint, charge, 'CHARGE');
          return toPayment(row);
        });
        return { payment, created: true };
      } catch (error) {
        if (!isLiveChargeConflict(error)) throw error;
        const winner = await findLiveByOrder(trx, charge.orderId);
        // Cancelled again in the meantime: a 500, and the caller's retry charges afresh.
        if (!winner) throw error;
        return { payment: winner, created: false };
      }
    },

    /**
     * The payment, its row locked until the transaction ends: cancels of one payment
     * (under different keys, or racing a refund failure's countdown) queue here, so the
     * second sees what the first did and money is refunded once.
     */
    async lockPayment(trx: Knex.Transaction, paymentKey: string): Promise<Payment | undefined> {
      const row = await trx(TABLES.payments).where({ payment_key: paymentKey }).forUpdate().first();
      return row ? toPayment(row) : undefined;
    },

    /** Spends one of the payment's scripted refund failures (caller holds the row lock). */
    async consumeRefundFailure(trx: Knex.Transaction, paymentKey: string): Promise<number> {
      const [row] = await trx(TABLES.payments)
        .where({ payment_key: paymentKey })
        .update({ refund_failures_remaining: trx.raw('refund_failures_remaining - 1'), updated_at: trx.fn.now() })
        .returning('refund_failures_remaining');
      return row.refund_failures_remaining;
    },

    /** Marks a live payment cancelled and writes its full REFUND (caller holds the row lock). */
    async recordRefund(trx: Knex.Transaction, payment: Payment): Promise<Payment> {
      const [row] = await trx(TABLES.payments)
        .where({ payment_key: payment.paymentKey, status: 'DONE' })
        .update({ status: 'CANCELED', canceled_at: new Date(), updated_at: trx.fn.now() })
        .returning('*');
      await recordEntry(trx, payment, 'REFUND');
      return toPayment(row);
    },

    async entriesForOrder(orderId: string): Promise<LedgerEntry[]> {
      const rows = await db(TABLES.ledgerEntries).where({ order_id: orderId }).orderBy('id');
      return rows.map((r) => ({ paymentKey: r.payment_key, orderId: r.order_id, kind: r.kind, amount: Number(r.amount) }));
    },
  };
}

export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
