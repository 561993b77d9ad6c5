// The Temporal baselines: workflows that do nothing but give Temporal the same work as a
// real one, so the difference to the real workflow is our code and our database work.
// - noopWorkflow: N activities (1 local activity for a claim, 3 activities for the saga).
// - noopOrderWorkflow + noopSagaWorkflow: the order's whole command shape, step for step
//   (src/workflows/placeOrder.ts and completeOrder.ts): started with update-with-start,
//   local activities where the order runs its own, the same memo and attribute upserts,
//   the reservation timer, a `pay` update that records the attempt and runs the saga as a
//   child (one activity for the charge, two local activities after it). Attribute
//   upserts are memo upserts here (the same event and visibility write), so no-op
//   workflows never show up in an ops search for orders.
import {
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  executeChild,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { noopPayUpdate, noopPlacementUpdate } from './noopMessages';

const local = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });
const remote = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

export async function noopWorkflow(activities: number, kind: 'local' | 'remote'): Promise<void> {
  for (let i = 0; i < activities; i++) await (kind === 'local' ? local : remote).noop();
}

/** Placement: find, prepare, reserve, record (a refused one stops after reserving). */
const PLACEMENT_LOCAL_ACTIVITIES = 4;
const REFUSAL_LOCAL_ACTIVITIES = 3;

export async function noopOrderWorkflow(input: { refuse: boolean; reservationMs: number }): Promise<void> {
  let placed = false;
  let paying = false;
  let paid = false;
  setHandler(noopPlacementUpdate, async () => {
    await condition(() => placed);
  });
  setHandler(noopPayUpdate, async () => {
    paying = true;
    await local.noop();
    await executeChild(noopSagaWorkflow, {
      workflowId: `${workflowInfo().workflowId}-saga`,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      memo: { state: 'PAYING' },
    });
    paid = true;
    upsertMemo({ state: 'COMPLETED' });
    paying = false;
  });

  for (let i = 0; i < (input.refuse ? REFUSAL_LOCAL_ACTIVITIES : PLACEMENT_LOCAL_ACTIVITIES); i++) await local.noop();
  if (input.refuse) {
    upsertMemo({ state: 'REFUSED' });
    placed = true;
    await condition(allHandlersFinished);
    return;
  }
  upsertMemo({ state: 'PENDING_PAYMENT' });
  upsertMemo({ amounts: 'placed' });
  placed = true;
  const expiresAt = Date.now() + input.reservationMs;
  while (!paid) {
    if (paying) {
      await condition(() => !paying);
      continue;
    }
    const left = expiresAt - Date.now();
    if (left <= 0) break;
    await condition(() => paying, left);
  }
  await condition(allHandlersFinished);
}

export async function noopSagaWorkflow(): Promise<void> {
  await remote.noop();
  await local.noop();
  await local.noop();
  upsertMemo({ state: 'COMPLETED' });
}
