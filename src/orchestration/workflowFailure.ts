import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { isBusinessErrorCode, type BusinessErrorCode } from '../domain/errors';

export interface BusinessFailure {
  code: BusinessErrorCode;
  message: string;
  details: unknown;
}

/**
 * The business outcome inside a failed workflow, if that is why it failed: the first
 * ApplicationFailure in the cause chain whose type is one of our business codes.
 */
export function businessFailureOf(error: unknown): BusinessFailure | undefined {
  if (!(error instanceof WorkflowFailedError)) return undefined;
  for (let cause: unknown = error.cause; cause instanceof Error; cause = (cause as Error).cause) {
    if (cause instanceof ApplicationFailure && isBusinessErrorCode(cause.type)) {
      return { code: cause.type, message: cause.message, details: cause.details?.[0] ?? null };
    }
  }
  return undefined;
}
