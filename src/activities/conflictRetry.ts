import { ApplicationFailure } from '@temporalio/activity';
import { conflictBackoffMs } from '../domain/stock';

/** Thrown inside a transaction when a version-checked write lost the race. */
export class OptimisticLockConflict extends Error {
  constructor(readonly optionId: string) {
    super(`stock of option ${optionId} changed while we were writing it`);
  }
}

// Deadlock and serialization failures are races too, and so is a lock wait that ran
// past lock_timeout (55P03, the FOR UPDATE strategy): the whole transaction is retried.
const RETRYABLE_PG_CODES = new Set(['40P01', '40001', '55P03']);

export const isConflict = (error: unknown): boolean =>
  error instanceof OptimisticLockConflict || RETRYABLE_PG_CODES.has((error as { code?: string })?.code ?? '');

export interface ConflictRetryOptions {
  /** Past this much time in one activity attempt, hand the retry back to Temporal. */
  budgetMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  /** Told about every lost race (benchmarks count them). */
  onConflict?: () => void;
}

export const defaultConflictRetry: ConflictRetryOptions = {
  budgetMs: 30_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
};

/**
 * Runs `attempt` (one whole transaction) until it commits or fails for a reason other
 * than a lost race. Conflicts are retried in-process with exponential backoff and
 * jitter (conflictBackoffMs), never turned into a business answer: "out of stock" is
 * only ever decided from a fresh read. If the race outlasts the budget, a retryable
 * failure lets Temporal's retry policy carry on durably.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, options: ConflictRetryOptions): Promise<T> {
  const started = options.now();
  for (let conflicts = 0; ; conflicts++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isConflict(error)) throw error;
      options.onConflict?.();
      if (options.now() - started > options.budgetMs) {
        throw ApplicationFailure.create({
          type: 'STOCK_CONTENTION',
          message: `still losing optimistic-lock races after ${conflicts + 1} attempts; Temporal will retry`,
          nonRetryable: false,
        });
      }
      await options.sleep(conflictBackoffMs(conflicts, options.random));
    }
  }
}
