import { log, proxyLocalActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrderActivities } from '../activities/orders';
import type { CompensationTimings, SagaProgress } from '../contracts/orders';
import { NeedsAttentionAttribute } from '../temporal/searchAttributes';
import { orderTransactionOptions } from './activityOptions';
import { describeFailure } from './refusals';
import { countFailedCompensationRound } from './sagaMetrics';

// The attention flag ops rely on must be written: retried without limit.
const { setNeedsAttention } = proxyLocalActivities<OrderActivities>(orderTransactionOptions);

/** Raises or clears the flag ops filter on: the search attribute and the order's row. */
async function flagForAttention(orderId: string, value: boolean): Promise<void> {
  upsertSearchAttributes([{ key: NeedsAttentionAttribute, value }]);
  await setNeedsAttention({ orderId, value });
}

export interface Compensation {
  name: string;
  run(): Promise<unknown>;
}

/**
 * Each compensation's activity is proxied with a bounded attempt count, a round
 * (compensationOptions in ./activityOptions); a round that fails means the compensation
 * keeps failing, so ops are told, and the next round starts after a pause that grows to
 * 5 minutes. Rounds never stop: a compensation that started must finish, and one an
 * operator fixes (data, a gateway) completes on the next round without anyone
 * restarting anything.
 */
const pauseAfterRound = (round: number, firstPauseMs = 5_000): number => Math.min(firstPauseMs * 2 ** round, 5 * 60_000);

/**
 * Runs compensations in the order given (an order's undo list, ./orderUndo), one after
 * the other, each until it succeeds. While one keeps failing the workflow carries
 * `NeedsAttention = true` and a critical log line names the action to take; the flag
 * is cleared once every compensation has succeeded.
 */
export async function runCompensations(
  compensations: Compensation[],
  context: { orderId: string; progress?: SagaProgress; timings?: CompensationTimings },
): Promise<void> {
  const entries = compensations.map((c) => ({ name: c.name, state: 'PENDING' as const, failedRounds: 0 }));
  if (context.progress) context.progress.compensations = entries.map((e) => ({ ...e }));
  const entry = (i: number) => context.progress?.compensations[i];
  let flagged = false;

  for (const [i, compensation] of compensations.entries()) {
    const current = entry(i);
    if (current) current.state = 'RUNNING';
    log.info('compensation started', { orderId: context.orderId, compensation: compensation.name });
    for (let round = 0; ; round++) {
      try {
        await compensation.run();
        break;
      } catch (error) {
        if (current) current.failedRounds += 1;
        countFailedCompensationRound(compensation.name);
        if (!flagged) {
          flagged = true;
          if (context.progress) context.progress.needsAttention = true;
          await flagForAttention(context.orderId, true);
        }
        log.error('CRITICAL: a compensation keeps failing; it is retried until it succeeds', {
          severity: 'CRITICAL',
          orderId: context.orderId,
          compensation: compensation.name,
          failedRounds: round + 1,
          error: describeFailure(error),
          action:
            'Open this workflow in the Temporal Web UI (NeedsAttention = true), read the failing activity, and fix its cause (gateway, database, data); do not terminate the workflow.',
        });
        await sleep(pauseAfterRound(round, context.timings?.pauseMs));
      }
    }
    if (current) current.state = 'DONE';
    log.info('compensation finished', { orderId: context.orderId, compensation: compensation.name });
  }

  if (flagged) {
    await flagForAttention(context.orderId, false);
    if (context.progress) context.progress.needsAttention = false;
    log.warn('every compensation finally succeeded; attention flag cleared', { orderId: context.orderId });
  }
}
