import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { isBusinessErrorCode } from '../domain/errors';
import type { Refusal } from '../domain/errors';

/**
 * The business refusal inside an activity's failure (a non-retryable ApplicationFailure
 * typed with one of our codes), as a plain value the workflow can return; undefined for
 * any other failure.
 */
export function refusalOf(error: unknown): Refusal | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && isBusinessErrorCode(cause.type)) {
    const details = cause.details?.[0];
    return { code: cause.type, message: cause.message, details: (details as Record<string, unknown> | undefined) ?? null };
  }
  return undefined;
}

/**
 * An activity's business refusal arrives wrapped in an ActivityFailure; unwrapped it
 * becomes the workflow's own failure, so the Web UI and the API see its type directly.
 * (Only the retired per-claim coupon workflow fails this way; the others answer with
 * values from refusalOf.)
 */
export function unwrapBusinessFailure(error: unknown): unknown {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.nonRetryable) {
    return error.cause;
  }
  return error;
}

/** A short reason for logs and the order's failure_reason: the innermost message. */
export function describeFailure(error: unknown): string {
  let innermost: unknown = error;
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  const type = innermost instanceof ApplicationFailure && innermost.type ? `${innermost.type}: ` : '';
  return `${type}${message}`.slice(0, 500);
}
