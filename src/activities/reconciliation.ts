import { heartbeat, log } from '@temporalio/activity';
import type { Knex } from 'knex';
import type { PaymentDiscrepancy, PaymentMismatches } from '../contracts/maintenance';
import { isUuid } from '../contracts/uuid';
import type { GatewayPayment, PaymentGateway } from '../gateway/paymentGateway';
import { createOrderRepository } from '../db/repositories/orders';
import { isFinal } from '../domain/order';

/** One run's findings stay small enough for a workflow's history; the next run finds the rest. */
const MAX_FINDINGS = 500;
const PAGE_SIZE = 500;

/**
 * Compares the gateway's ledger with the orders over a window of approval times:
 * - a live charge on an order that ended unpaid (FAILED, EXPIRED, CANCELLED) or on no
 *   order at all is unbacked. A charge on an order still waiting for payment is a saga
 *   in flight and left alone (if that order is orphaned, the sweeper ends it, and the
 *   next run finds the charge);
 * - a COMPLETED order paid in the window must hold exactly one live charge of its final
 *   amount under its recorded payment key; anything else is a discrepancy.
 * Orders paid at a window's edge are looked up one by one at the gateway rather than
 * trusted to the listing.
 */
export const createReconciliationActivities = (deps: { db: Knex; gateway: PaymentGateway }) => {
  const orders = createOrderRepository(deps.db);

  async function liveChargesApproved(from: Date, to: Date): Promise<{ live: GatewayPayment[]; scanned: number }> {
    const live: GatewayPayment[] = [];
    let scanned = 0;
    let cursor: string | undefined;
    do {
      const page = await deps.gateway.listApprovedPayments({ from, to, cursor, limit: PAGE_SIZE });
      scanned += page.payments.length;
      live.push(...page.payments.filter((p) => p.status === 'DONE'));
      cursor = page.nextCursor ?? undefined;
      heartbeat({ scanned });
    } while (cursor);
    return { live, scanned };
  }

  async function discrepancyOf(order: { id: string; paymentKey: string | null; finalAmount: number }, live: GatewayPayment[]): Promise<string | null> {
    const charges = live.length ? live : (await deps.gateway.listPayments(order.id)).filter((p) => p.status === 'DONE');
    if (charges.length === 0) return 'the order is COMPLETED but the gateway holds no live charge for it';
    const [charge] = charges;
    if (charge.paymentKey !== order.paymentKey) return `the live charge ${charge.paymentKey} is not the order's payment ${order.paymentKey}`;
    if (charge.amount !== order.finalAmount) return `the live charge is ${charge.amount}, the order's final amount ${order.finalAmount}`;
    return null;
  }

  return {
    async findPaymentMismatches(window: { from: string; to: string }): Promise<PaymentMismatches> {
      const from = new Date(window.from);
      const to = new Date(window.to);
      const { live, scanned } = await liveChargesApproved(from, to);
      const liveByOrder = new Map<string, GatewayPayment[]>();
      for (const p of live) liveByOrder.set(p.orderId, [...(liveByOrder.get(p.orderId) ?? []), p]);

      const statuses = await orders.statusesOf([...liveByOrder.keys()].filter(isUuid));
      const unbackedCharges = live
        .map((p) => ({ orderId: p.orderId, paymentKey: p.paymentKey, amount: p.amount, orderStatus: statuses.get(p.orderId) ?? null }))
        .filter((c) => c.orderStatus === null || (isFinal(c.orderStatus) && c.orderStatus !== 'COMPLETED'));

      const completed = await orders.paidBetween(from, to);
      const discrepancies: PaymentDiscrepancy[] = [];
      for (const order of completed) {
        const reason = await discrepancyOf(order, liveByOrder.get(order.id) ?? []);
        if (reason) discrepancies.push({ orderId: order.id, reason });
        if (discrepancies.length >= MAX_FINDINGS) break;
      }
      return {
        scannedPayments: scanned,
        scannedCompletedOrders: completed.length,
        unbackedCharges: unbackedCharges.slice(0, MAX_FINDINGS),
        discrepancies,
        truncated: unbackedCharges.length > MAX_FINDINGS || discrepancies.length >= MAX_FINDINGS,
      };
    },

    /** Raises the order's attention flag (GET /admin/orders?needsAttention=true) and says why, CRITICAL. */
    async flagPaymentDiscrepancy(discrepancy: PaymentDiscrepancy): Promise<void> {
      await orders.setNeedsAttention(discrepancy.orderId, true);
      log.error('CRITICAL: a completed order does not match the gateway', {
        severity: 'CRITICAL',
        ...discrepancy,
        action: 'Compare the order with the gateway\'s payments of it (GET /v1/payments?orderId=) and settle it by hand; then clear its attention flag.',
      });
    },
  };
};

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
