import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CancelOutcome, PayInput, PaymentOutcome, PlacementOutcome, SagaProgress } from './orders';

/**
 * The messages of the order workflows, defined once for the API (which sends them) and
 * the workflows (which handle them).
 */

/** Answers once the order is placed or refused; sent with update-with-start by the API. */
export const placementUpdate = defineUpdate<PlacementOutcome>('placement');

/** Runs one payment attempt (the CompleteOrder saga) and answers with its outcome. */
export const payUpdate = defineUpdate<PaymentOutcome, [PayInput]>('pay');

export const cancelUpdate = defineUpdate<CancelOutcome>('cancel');

export const sagaProgressQuery = defineQuery<SagaProgress>('sagaProgress');

/** Update ids: the same placement or payment request always carries the same id, so Temporal answers it once. */
export const PLACEMENT_UPDATE_ID = 'placement';
export const payUpdateId = (idempotencyKey: string): string => `pay:${idempotencyKey}`;
