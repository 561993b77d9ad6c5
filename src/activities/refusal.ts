import { ApplicationFailure } from '@temporalio/activity';
import type { BusinessErrorCode } from '../domain/errors';

/** A business refusal: non-retryable, typed with the code the API answers with. */
export const refuse = (type: BusinessErrorCode, message: string, details?: unknown) =>
  ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
