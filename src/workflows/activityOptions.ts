import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Stock moves (reserveStock, confirmStock, releaseStock). One attempt may spend 30 s
 * retrying lost optimistic-lock races (docs/stock.md), plus its last backoff (up to 2 s)
 * and a wait for a pooled connection (up to 30 s): 90 s bounds that with room to spare.
 * Should an attempt outlive it anyway, the retry and the stale attempt queue on the
 * order's row lock, so the move still happens once. If it keeps losing
 * (STOCK_CONTENTION) or the database is away, Temporal retries without an attempt limit:
 * a stock move that started must finish. Business refusals are non-retryable.
 */
export const stockActivityOptions: ActivityOptions = {
  startToCloseTimeout: '90 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};
