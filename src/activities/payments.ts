import { ApplicationFailure, log } from '@temporalio/activity';
import { PaymentGatewayError, type ChargeInput, type ChargeResult, type PaymentGateway } from '../gateway/paymentGateway';
import { CHARGE_OUTCOME_UNKNOWN, GATEWAY_UNAVAILABLE } from '../contracts/orders';

// The charge's input and answer are the gateway client's own: the activity passes them through.
export type { ChargeInput, ChargeResult } from '../gateway/paymentGateway';

/**
 * How a failed gateway call reaches Temporal:
 * - an answer that retrying cannot change (a malformed request, a reused key) is a
 *   non-retryable failure;
 * - no answer (timeout, dropped connection) or "this key is in progress" means the
 *   charge may or may not have happened: `CHARGE_OUTCOME_UNKNOWN`, retried with the same
 *   key until the gateway says which (src/workflows/completeOrder.ts);
 * - a gateway fault (5xx, 429) is retried too.
 */

function asActivityFailure(error: unknown): unknown {
  if (!(error instanceof PaymentGatewayError)) return error;
  const details = [{ status: error.status, code: error.code }];
  if (!error.retryable) {
    return ApplicationFailure.create({
      type: 'PAYMENT_GATEWAY_REJECTED',
      message: `the payment gateway refused the request: ${error.code} (${error.message})`,
      nonRetryable: true,
      details,
    });
  }
  const unknown = error.status === null || error.code === 'REQUEST_IN_PROGRESS';
  return ApplicationFailure.create({ type: unknown ? CHARGE_OUTCOME_UNKNOWN : GATEWAY_UNAVAILABLE, message: error.message, details });
}

export const createPaymentActivities = (deps: { gateway: PaymentGateway }) => ({
  /** Charges the order's amount; a decline is an answer, not a failure. */
  async chargePayment(input: ChargeInput): Promise<ChargeResult> {
    try {
      const result = await deps.gateway.charge(input);
      if (result.outcome === 'DECLINED') {
        log.info('card declined', { orderId: input.orderId, code: result.code });
        return { outcome: 'DECLINED', code: result.code, message: result.message };
      }
      return { outcome: 'APPROVED', paymentKey: result.paymentKey, approvedAt: result.approvedAt };
    } catch (error) {
      throw asActivityFailure(error);
    }
  },

  /**
   * Refunds every live charge of the order. It asks the gateway what was charged rather
   * than trusting what the saga saw, so a charge whose response was lost (committed, then
   * the connection dropped) is refunded too. Each refund's key is derived from the
   * payment, so a retry never refunds twice.
   */
  async refundPayments(input: { orderId: string; reason: string }): Promise<{ refunded: string[] }> {
    try {
      const payments = await deps.gateway.listPayments(input.orderId);
      const refunded: string[] = [];
      for (const payment of payments.filter((p) => p.status === 'DONE')) {
        await deps.gateway.cancel({ idempotencyKey: `refund-${payment.paymentKey}`, paymentKey: payment.paymentKey, reason: input.reason });
        refunded.push(payment.paymentKey);
      }
      return { refunded };
    } catch (error) {
      throw asActivityFailure(error);
    }
  },
});

export type PaymentActivities = ReturnType<typeof createPaymentActivities>;
