import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { createCheckout } from './checkout';
import { createCouponIssueStarter } from './couponIssue';
import { createOrderWorkflows } from './orders';

/** Everything the API uses to drive workflows, wired once for start-up and tests alike. */
export function createOrchestration(deps: {
  db: Knex;
  client: Client;
  taskQueue: string;
  resultTimeoutMs: number;
  reservationTtlMs: number;
}) {
  const orderWorkflows = createOrderWorkflows(deps.client, deps.taskQueue, { resultTimeoutMs: deps.resultTimeoutMs });
  return {
    couponIssue: createCouponIssueStarter(deps.client, deps.taskQueue, { resultTimeoutMs: deps.resultTimeoutMs }),
    orderWorkflows,
    checkout: createCheckout({ db: deps.db, workflows: orderWorkflows, reservationTtlMs: deps.reservationTtlMs }),
  };
}
