import * as wf from '@temporalio/workflow';
import type { SalesRollupActivities } from '../activities/salesRollup';
import { salesRollupOptions } from './activityOptions';

const { rollUpProductSales: rollUp } = wf.proxyActivities<SalesRollupActivities>(salesRollupOptions);

/**
 * Brings the hourly sales rollup (what GET /products/popular reads) up to now, run by its
 * Schedule every minute (src/temporal/schedules.ts). Each run recomputes every hour since
 * the last run ended, so a run missed while the platform was down is made up by the next.
 */
export async function rollUpProductSales(): Promise<Awaited<ReturnType<typeof rollUp>>> {
  return rollUp();
}
