import { defineUpdate } from '@temporalio/workflow';

/** The no-op order's messages (bench/baselines/noop.workflows.ts), shared by its client. */
export const noopPlacementUpdate = defineUpdate<void>('noopPlacement');
export const noopPayUpdate = defineUpdate<void>('noopPay');
