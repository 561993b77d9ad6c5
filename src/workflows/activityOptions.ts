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

/**
 * The stock moves on the way to a sale (reserveStock when placing, confirmStock in the
 * saga) run as local activities: a short transaction in the worker that already holds
 * the workflow task, rather than a task sent through the server and back. On the dev
 * server each activity round trip costs several history events, a transfer task and a
 * matching dispatch; measured in docs/benchmarks.md. Safe here because every stock move
 * is idempotent per order (a local activity re-runs if the worker dies mid-way) and
 * short (a long one keeps its workflow task alive by heartbeating it). The moves that
 * undo a sale stay ordinary activities: they are rare, and ops see them pending in the
 * Web UI while they retry.
 *
 * Workflows started before this change scheduled those moves as activities; they keep
 * doing so when replayed (docs/workflow-changes.md).
 */
export const LOCAL_STOCK_MOVES_PATCH = 'stock-moves-local';

/**
 * Settling a batch of coupon claims (settleCouponClaims), a local activity: one short
 * transaction, which even queued behind the coupon's row lock ends within a few seconds;
 * 10 s trips on a stuck connection. Retried without limit and quickly: the claims'
 * customers are waiting for their answers, and a settled batch is safe to run again
 * (each claim finds its own row).
 */
export const claimSettlementOptions: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
};
