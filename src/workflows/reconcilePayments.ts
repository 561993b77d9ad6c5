import * as wf from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/payments';
import type { ReconciliationActivities } from '../activities/reconciliation';
import type { PaymentDiscrepancy, ReconciliationInput, ReconciliationReport, UnbackedCharge } from '../contracts/maintenance';
import { NeedsAttentionAttribute } from '../temporal/searchAttributes';
import { compensationOptions, orderTransactionOptions, scanOptions } from './activityOptions';
import { describeFailure } from './refusals';

const { findPaymentMismatches } = wf.proxyActivities<ReconciliationActivities>(scanOptions);
const { flagPaymentDiscrepancy } = wf.proxyLocalActivities<ReconciliationActivities>(orderTransactionOptions);
const { refundPayments } = wf.proxyActivities<PaymentActivities>(compensationOptions.payment);

/** Refunds run a few at a time: the gateway is shared with the shop's live payments. */
const REFUNDS_AT_ONCE = 8;

/**
 * Compares the gateway's ledger with the orders over the last `lookbackMs` of approvals
 * (run by its Schedule, src/temporal/schedules.ts): a live charge on an order that ended
 * unpaid, or on no order, is refunded (the refund's key is derived from the payment, so
 * overlapping runs refund it once); a COMPLETED order without its live charge is flagged.
 * A run that found something for ops ends with `NeedsAttention = true`, so the Web UI's
 * filter shows it; what it did is its result.
 */
export async function reconcilePayments(input: ReconciliationInput): Promise<ReconciliationReport> {
  const to = new Date(Date.now());
  const from = new Date(to.getTime() - input.lookbackMs);
  const found = await findPaymentMismatches({ from: from.toISOString(), to: to.toISOString() });

  const refunded: UnbackedCharge[] = [];
  const refundFailures: (UnbackedCharge & { error: string })[] = [];
  for (let i = 0; i < found.unbackedCharges.length; i += REFUNDS_AT_ONCE) {
    await Promise.all(
      found.unbackedCharges.slice(i, i + REFUNDS_AT_ONCE).map(async (charge) => {
        const why = charge.orderStatus ? `the order is ${charge.orderStatus}` : 'the platform has no such order';
        wf.log.warn('refunding a live charge no order pays for', { ...charge, why });
        try {
          await refundPayments({ orderId: charge.orderId, reason: `reconciliation: ${why}` });
          refunded.push(charge);
        } catch (error) {
          refundFailures.push({ ...charge, error: describeFailure(error) });
        }
      }),
    );
  }

  const flagged: PaymentDiscrepancy[] = [];
  for (const discrepancy of found.discrepancies) {
    await flagPaymentDiscrepancy(discrepancy);
    flagged.push(discrepancy);
  }

  const needsAttention = flagged.length > 0 || refundFailures.length > 0;
  if (needsAttention) {
    wf.upsertSearchAttributes([{ key: NeedsAttentionAttribute, value: true }]);
    wf.log.error('CRITICAL: the reconciliation found what it cannot settle by itself', { severity: 'CRITICAL', flagged: flagged.length, refundFailures: refundFailures.length });
  }
  return {
    window: { from: from.toISOString(), to: to.toISOString() },
    scannedPayments: found.scannedPayments,
    scannedCompletedOrders: found.scannedCompletedOrders,
    refunded,
    refundFailures,
    flagged,
    truncated: found.truncated,
  };
}
