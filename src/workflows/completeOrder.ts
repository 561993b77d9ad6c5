import * as wf from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import type { PaymentActivities } from '../activities/payments';
import type { StockActivities } from '../activities/stock';
import { sagaProgressQuery } from '../contracts/orderMessages';
import { CHARGE_OUTCOME_UNKNOWN, GATEWAY_UNAVAILABLE, type CompleteOrderInput, type CompleteOrderResult, type SagaProgress, type SagaStep } from '../contracts/orders';
import { OrderStateAttribute } from '../temporal/searchAttributes';
import { chargeOptions, LOCAL_STOCK_MOVES_PATCH, orderTransactionOptions, stockActivityOptions } from './activityOptions';
import { runCompensations } from './compensation';
import { undoCompensations, type OrderReach } from './orderUndo';
import { describeFailure } from './refusals';
import { countCharge, countSagaEnded, countSagaStarted } from './sagaMetrics';

const { chargePayment } = wf.proxyActivities<PaymentActivities>(chargeOptions);

/**
 * While the charge's outcome is unknown (no answer, or the gateway still working on the
 * key) the saga keeps asking with the same key rather than compensating: a refund issued
 * now would find nothing, and a charge committed later would never be refunded. Ten
 * minutes bounds a gateway that never answers.
 */
const UNKNOWN_OUTCOME_BUDGET_MS = 10 * 60_000;

/**
 * A gateway that answers it is unavailable (5xx, 429) has not refused the card: the
 * payment waits it out, asking again with the same key, for this long before the order
 * fails and is compensated. An outage shorter than this delays payments and fails none.
 */
const GATEWAY_OUTAGE_BUDGET_MS = 5 * 60_000;

/** Patch id: charges wait out gateway outages (before it, an outage past 5 attempts failed the order). */
export const WAIT_OUT_GATEWAY_OUTAGES_PATCH = 'charge-waits-out-gateway-outages';

/**
 * Patch id: the saga's final progress goes into the order row with its last move, so an
 * ended order is read from PostgreSQL (a query on a closed saga replays its history).
 */
export const SAGA_OUTCOME_PATCH = 'saga-outcome-in-order-row';

/** The progress as it stands once the saga has ended `as`, for the order row; nothing before the patch. */
const outcomeFor = (progress: SagaProgress, ended: Partial<SagaProgress>): { sagaOutcome?: SagaProgress } =>
  wf.patched(SAGA_OUTCOME_PATCH) ? { sagaOutcome: { ...progress, currentStep: null, ...ended } } : {};

const failureType = (error: unknown): string | undefined => {
  const cause = error instanceof wf.ActivityFailure ? error.cause : undefined;
  if (cause instanceof wf.TimeoutFailure) return CHARGE_OUTCOME_UNKNOWN;
  return cause instanceof wf.ApplicationFailure ? (cause.type ?? undefined) : undefined;
};

async function chargeUntilKnown(
  input: Parameters<typeof chargePayment>[0],
  budgets: { outageMs: number; unknownOutcomeMs: number },
): ReturnType<typeof chargePayment> {
  const started = Date.now();
  for (;;) {
    try {
      return await chargePayment(input);
    } catch (error) {
      const type = failureType(error);
      const elapsed = Date.now() - started;
      if (type === CHARGE_OUTCOME_UNKNOWN && elapsed < budgets.unknownOutcomeMs) {
        wf.log.warn('the charge outcome is still unknown; asking the gateway again with the same key', { orderId: input.orderId });
        continue;
      }
      if (type === GATEWAY_UNAVAILABLE && elapsed < budgets.outageMs && wf.patched(WAIT_OUT_GATEWAY_OUTAGES_PATCH)) {
        wf.log.warn('the payment gateway is unavailable; asking again with the same key', { orderId: input.orderId });
        continue;
      }
      throw error;
    }
  }
}

const { confirmStock } = wf.proxyActivities<StockActivities>(stockActivityOptions);
const stockLocally = wf.proxyLocalActivities<StockActivities>(stockActivityOptions);
const { markOrderPaid, markOrderFailed } = wf.proxyLocalActivities<OrderActivities>(orderTransactionOptions);

/** The charge's idempotency key: one per order and payment attempt, the same on every retry. */
export const chargeIdempotencyKey = (orderId: string, attempt: number): string => `order-${orderId}-payment-${attempt}`;

/**
 * The CompleteOrder saga: charge -> confirm stock -> complete the order. How far it got
 * is recorded before each step runs (a step that timed out may still have happened); on
 * a failure the order's undo list for that point (./orderUndo) runs, shielded from
 * cancellation, each step until it succeeds; then the order is marked FAILED and the
 * workflow fails so ops see it as Failed. A declined card is an answer, not a failure: nothing is compensated and
 * the order keeps waiting for payment.
 */
export async function completeOrder(input: CompleteOrderInput): Promise<CompleteOrderResult> {
  const { orderId } = input;
  const progress: SagaProgress = {
    orderId,
    state: 'RUNNING',
    currentStep: null,
    completedSteps: [],
    failedStep: null,
    failureReason: null,
    compensations: [],
    needsAttention: false,
  };
  wf.setHandler(sagaProgressQuery, () => progress);
  countSagaStarted();
  const setState = (state: SagaProgress['state']) => {
    progress.state = state;
    wf.upsertSearchAttributes([{ key: OrderStateAttribute, value: state === 'RUNNING' ? 'PAYING' : state }]);
  };

  // What a failure gives back grows with each step, registered before the step runs (a
  // step that timed out may still have happened).
  let reach: OrderReach = 'charging';

  async function step<T>(name: SagaStep, run: () => Promise<T>): Promise<T> {
    progress.currentStep = name;
    wf.log.info('saga step started', { orderId, step: name });
    const result = await run();
    progress.completedSteps.push(name);
    wf.log.info('saga step finished', { orderId, step: name });
    return result;
  }

  try {
    const charge = await step('charge', () =>
      chargeUntilKnown(
        { orderId, amount: input.amount, cardToken: input.cardToken, idempotencyKey: chargeIdempotencyKey(orderId, input.attempt) },
        { outageMs: input.gatewayOutageBudgetMs ?? GATEWAY_OUTAGE_BUDGET_MS, unknownOutcomeMs: input.unknownOutcomeBudgetMs ?? UNKNOWN_OUTCOME_BUDGET_MS },
      ),
    );
    countCharge(charge.outcome === 'DECLINED' ? 'declined' : 'approved');
    if (charge.outcome === 'DECLINED') {
      setState('DECLINED');
      countSagaEnded('declined');
      return { kind: 'declined', refusal: { code: 'PAYMENT_DECLINED', message: `the card was declined: ${charge.message}`, details: { reason: charge.code } } };
    }

    reach = 'confirming';
    await step('confirmStock', () => (wf.patched(LOCAL_STOCK_MOVES_PATCH) ? stockLocally.confirmStock(orderId) : confirmStock(orderId)));

    const order = await step('completeOrder', () =>
      markOrderPaid({
        orderId,
        paymentKey: charge.paymentKey,
        paidAt: charge.approvedAt,
        ...outcomeFor(progress, { state: 'COMPLETED', completedSteps: [...progress.completedSteps, 'completeOrder'] }),
      }),
    );
    progress.currentStep = null;
    setState('COMPLETED');
    countSagaEnded('completed');
    return {
      kind: 'paid',
      payment: { orderId, status: 'COMPLETED', paymentKey: charge.paymentKey, paidAt: charge.approvedAt, amount: order.finalAmount },
    };
  } catch (error) {
    const failedStep = progress.currentStep;
    const reason = `${failedStep ?? 'saga'} failed: ${describeFailure(error)}`;
    progress.failedStep = failedStep;
    progress.failureReason = reason;
    progress.currentStep = null;
    setState('COMPENSATING');
    wf.log.warn('saga failed; compensating', { orderId, failedStep, reason });
    await wf.CancellationScope.nonCancellable(async () => {
      const timings = input.compensationTimings;
      await runCompensations(undoCompensations(orderId, input.userCouponId, reach, timings), { orderId, progress, timings });
      await markOrderFailed({ orderId, reason, ...outcomeFor(progress, { state: 'COMPENSATED' }) });
    });
    setState('COMPENSATED');
    countSagaEnded('compensated');
    throw wf.ApplicationFailure.create({
      type: 'ORDER_FAILED',
      message: `order ${orderId} failed and was compensated (${reason})`,
      nonRetryable: true,
      details: [{ orderId, failedStep, reason }],
    });
  }
}
