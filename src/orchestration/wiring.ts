import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { PaymentBudgets } from '../contracts/orders';
import { createCheckout } from './checkout';
import { createCouponIssuer, type IssuerRunOptions } from './couponIssuer';
import { createDeliveryReplays } from './deliveries';
import { createOrderWorkflows } from './orders';

/** Everything the API uses to drive workflows, wired once for start-up and tests alike. */
export function createOrchestration(deps: {
  db: Knex;
  client: Client;
  taskQueue: string;
  resultTimeoutMs: number;
  reservationTtlMs: number;
  /** Tuning of coupon issuer runs (tests make them tiny); the workflow's defaults otherwise. */
  couponIssuerRun?: IssuerRunOptions;
  /** How long a payment keeps asking an unavailable or silent gateway (tests shrink them); the saga's defaults otherwise. */
  paymentBudgets?: PaymentBudgets;
}) {
  const orderWorkflows = createOrderWorkflows(deps.client, deps.taskQueue, { resultTimeoutMs: deps.resultTimeoutMs });
  return {
    couponIssuer: createCouponIssuer(deps.client, deps.taskQueue, { resultTimeoutMs: deps.resultTimeoutMs, run: deps.couponIssuerRun }),
    orderWorkflows,
    deliveryReplays: createDeliveryReplays(deps.client, deps.taskQueue),
    checkout: createCheckout({ db: deps.db, workflows: orderWorkflows, reservationTtlMs: deps.reservationTtlMs, paymentBudgets: deps.paymentBudgets }),
  };
}
