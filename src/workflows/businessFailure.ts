import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/**
 * An activity's business refusal (a non-retryable ApplicationFailure such as SOLD_OUT or
 * OUT_OF_STOCK) arrives wrapped in an ActivityFailure. Unwrapping it makes it the
 * workflow's own failure, so the Web UI and the API see its type directly.
 */
export function unwrapBusinessFailure(error: unknown): unknown {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable) {
    return error.cause;
  }
  return error;
}
