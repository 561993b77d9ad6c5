import type { ActivityOptions, LocalActivityOptions, RetryPolicy } from '@temporalio/workflow';

/**
 * Every activity's timeouts and retry policy, each preset beside its reason. Workflows
 * proxy activities with these and nothing else, so a policy changes in one place.
 * (Retry policies are not part of the commands a replay compares: changing one here
 * needs no patch; changing which activity a step runs, or its kind, does.)
 */

/**
 * Short transactions on the order's rows (prepare, record, find, close, mark paid or
 * failed, the attention flag). Retried without limit: once stock may be reserved the
 * order must reach an end, and the database coming back is the only way there. Business
 * refusals (an unknown option, an unusable coupon) are non-retryable.
 */
export const orderTransactionOptions: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
};

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
 * saga) run as local activities, with the same options: a short transaction in the
 * worker that already holds the workflow task, rather than a task sent through the
 * server and back (measured in docs/benchmarks.md). Safe because every stock move is
 * idempotent per order (a local activity re-runs if the worker dies mid-way) and short
 * (a long one keeps its workflow task alive by heartbeating it). The moves that undo a
 * sale stay ordinary activities: they are rare, and ops see them pending in the Web UI
 * while they retry. Workflows started before this patch keep scheduling activities when
 * replayed (docs/workflow-changes.md).
 */
export const LOCAL_STOCK_MOVES_PATCH = 'stock-moves-local';

/**
 * The charge. The gateway client gives up on a request after PAYMENT_GATEWAY_TIMEOUT_MS
 * (at most 12 s); 15 s leaves room to write and read it, and is how late a worker that
 * dies mid-charge is noticed. 5 attempts (~15 s of backoff) per call; what happens after
 * depends on why they failed (the saga's chargeUntilKnown).
 */
export const chargeOptions: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
};

/**
 * Compensations run in rounds (src/workflows/compensation.ts): each activity is proxied
 * with a bounded attempt count, one round (1 s, then 2 s backoff); a failed round tells
 * ops, and the next starts after a pause.
 */
export const ATTEMPTS_PER_ROUND = 3;

export const compensationRetry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '10 seconds',
  maximumAttempts: ATTEMPTS_PER_ROUND,
};

/**
 * Compensation presets: the step's own timeout, a round of retries. `retryMs` replaces
 * the round's first backoff (tests shrink it; see CompensationTimings).
 */
export function compensationOptionsFor(retryMs?: number) {
  const retry: RetryPolicy = retryMs === undefined ? compensationRetry : { ...compensationRetry, initialInterval: retryMs, maximumInterval: retryMs * 10 };
  return {
    /** Returning or releasing stock: a stock move's timeout. */
    stock: { ...stockActivityOptions, retry },
    /** Giving a coupon back, marking the order failed: one short transaction. */
    order: { startToCloseTimeout: '10 seconds', retry },
    /** Refunds: a gateway call for each live charge, up to 12 s each. */
    payment: { startToCloseTimeout: '30 seconds', retry },
  } satisfies Record<string, ActivityOptions>;
}

export const compensationOptions = compensationOptionsFor();

/**
 * Settling a batch of coupon claims (settleCouponClaims), a local activity: one short
 * transaction, which even queued behind the coupon's row lock ends within a few seconds;
 * 10 s trips on a stuck connection. Retried without limit and quickly: the claims'
 * customers are waiting for their answers, and a settled batch is safe to run again
 * (each claim finds its own row).
 */
export const claimSettlementOptions: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
};

/**
 * The retired per-claim coupon workflow's claim (kept so its runs finish): 10 s trips on
 * a stuck connection, and infrastructure errors are retried for up to a minute, after
 * which the claim fails and the client may retry it. A timed-out attempt that committed
 * is safe: the retry finds the row it wrote.
 */
export const singleClaimOptions: LocalActivityOptions = {
  startToCloseTimeout: '10 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
};

/**
 * The reconciliation's and the sweeper's scans: pages of the gateway's ledger or of
 * candidate orders, each page a heartbeat, so a dead worker is noticed within a minute.
 * A few attempts: a scan that keeps failing is retried by the schedule's next run.
 */
export const scanOptions: ActivityOptions = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3 },
};

/**
 * The sales rollup: one transaction that cannot heartbeat midway (a first run over a
 * month of orders took 3 s at a million orders; the statement timeout inside it is 5
 * minutes, below this). Two attempts: the Schedule's next run, a minute later, redoes
 * whatever a failed one left, since every run recomputes from the last that succeeded.
 */
export const salesRollupOptions: ActivityOptions = {
  startToCloseTimeout: '6 minutes',
  retry: { initialInterval: '5 seconds', maximumAttempts: 2 },
};

/**
 * The outbox drain: rounds of deliveries, each round a heartbeat, so a dead worker is
 * noticed within a minute and its claimed rows go back when their lease runs out. Few
 * attempts: the Schedule's next run, seconds later, takes whatever is still due.
 */
export const deliveryDrainOptions: ActivityOptions = {
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumAttempts: 2 },
};

/**
 * Replaying one order's delivery: tried until the data platform takes it, backing off to
 * a minute between attempts; the workflow stays open (visible) while it waits.
 */
export const redeliveryOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '1 minute' },
};
