import { metricMeter } from '@temporalio/workflow';

/**
 * The saga's own counters, through the workflow's metric meter: the SDK drops them while
 * a history replays, so replaying a saga (a new worker, an evicted cache) counts nothing
 * again; only a workflow task that fails and runs a second time can count twice. They
 * leave through the worker's Prometheus exporter beside the SDK's own (namespace, task
 * queue and workflow type come as labels). The meter can only be used inside a workflow,
 * so each counter is made where it is added.
 */
export type SagaOutcome = 'completed' | 'declined' | 'compensated';

export const countSagaStarted = (): void =>
  metricMeter.createCounter('order_platform_sagas_started', 'sagas', 'CompleteOrder sagas started').add(1);

export const countSagaEnded = (outcome: SagaOutcome): void =>
  metricMeter.createCounter('order_platform_sagas_ended', 'sagas', 'CompleteOrder sagas ended, by outcome (completed, declined, compensated)').add(1, { outcome });

export const countCharge = (outcome: 'approved' | 'declined'): void =>
  metricMeter.createCounter('order_platform_charges', 'charges', 'Charges the gateway answered for a saga, by outcome').add(1, { outcome });

export const countRefunds = (refunds: number): void =>
  metricMeter.createCounter('order_platform_refunds', 'refunds', 'Charges refunded by compensations').add(refunds);

export const countFailedCompensationRound = (compensation: string): void =>
  metricMeter
    .createCounter('order_platform_compensation_rounds_failed', 'rounds', 'Compensation rounds that failed (each raises or keeps NeedsAttention), by compensation')
    .add(1, { compensation });
