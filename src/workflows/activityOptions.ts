import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Stock moves (reserveStock, confirmStock, releaseStock). One attempt may spend up to
 * 30 s retrying lost optimistic-lock races in-process (docs/stock.md), so 45 s bounds an
 * attempt with room for the transaction itself. If it still loses (STOCK_CONTENTION) or
 * the database is away, Temporal retries without an attempt limit: a stock move that
 * started must finish. Business refusals (OUT_OF_STOCK, ...) are non-retryable.
 */
export const stockActivityOptions: ActivityOptions = {
  startToCloseTimeout: '45 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
};
