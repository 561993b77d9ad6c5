import { isUuid } from './uuid';

/**
 * Workflow ids are built only from validated inputs (UUIDs here), behind a fixed prefix,
 * so an id can neither collide across kinds of work nor carry characters a client chose.
 * The same logical request always maps to the same id: that is what lets Temporal
 * attach a retried or concurrent request to the workflow already running.
 */

function requireUuid(label: string, value: string): string {
  const lower = value.toLowerCase();
  if (!isUuid(lower)) throw new Error(`${label} must be a UUID to form a workflow id`);
  return lower;
}

/** One issuer per coupon: every claim on it is an Update of this workflow. */
export const couponIssuerWorkflowId = (couponId: string): string => `coupon:${requireUuid('couponId', couponId)}`;

/** What an Idempotency-Key may be: it becomes part of a workflow id. The API validates it with this. */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * One order workflow per (customer, Idempotency-Key): a retried or concurrent placement
 * lands on the same workflow.
 */
export const orderWorkflowId = (userId: string, idempotencyKey: string): string => {
  if (!IDEMPOTENCY_KEY.test(idempotencyKey)) throw new Error('idempotencyKey is not a valid Idempotency-Key');
  return `order:${requireUuid('userId', userId)}:${idempotencyKey}`;
};

/** One CompleteOrder saga per payment attempt of an order. */
export const completeOrderWorkflowId = (orderId: string, attempt: number): string =>
  `complete-order:${requireUuid('orderId', orderId)}:${attempt}`;

/** One release of an orphaned order's holds at a time, whichever sweep found it. */
export const releaseOrphanWorkflowId = (orderId: string): string => `release-orphan:${requireUuid('orderId', orderId)}`;
/** Ops' replay of one order's delivery: one at a time per order. */
export const redeliveryWorkflowId = (orderId: string): string => `redeliver-order:${requireUuid('orderId', orderId)}`;

/** The schedules `npm start` keeps, and the ids of the workflows they start (plus Temporal's time suffix). */
export const RECONCILIATION_SCHEDULE_ID = 'reconcile-payments';
export const SWEEPER_SCHEDULE_ID = 'sweep-orphaned-holds';
export const IDEMPOTENCY_PRUNE_SCHEDULE_ID = 'prune-idempotency-keys';
export const SALES_ROLLUP_SCHEDULE_ID = 'roll-up-product-sales';
export const ORDER_DELIVERY_SCHEDULE_ID = 'deliver-completed-orders';
