import { ServiceError, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { NextFunction, Request, Response } from 'express';
import { KnexTimeoutError } from 'knex';
import type { Logger } from '../../logging/logger';
import type { CodedError } from '../../domain/errors';
import { OutcomePendingError } from '../../orchestration/awaitOutcome';
import { ClientGoneError } from '../clientGone';
import { ApiError, errorBody, isAnswerable, statusOf, type ErrorCode } from '../errors';

interface BodyParserError {
  type?: string;
  status?: number;
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', '57P01', '57P03']);

/** PostgreSQL or Temporal could not be reached: worth a retry, not a bug report. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof ServiceError || error instanceof KnexTimeoutError) return true;
  return UNREACHABLE.has((error as { code?: string })?.code ?? '');
}

/** Turns whatever a handler threw into the one error shape; only real faults are 5xx. */
export function toApiError(error: unknown): CodedError<ErrorCode> {
  if (isAnswerable(error)) return error;
  if (error instanceof OutcomePendingError) {
    return new ApiError('SERVICE_UNAVAILABLE', 'accepted and still running; repeat the same request for its outcome', {
      workflowId: error.workflowId,
    });
  }
  if (error instanceof WorkflowUpdateFailedError) {
    // Our update handlers answer with values and never throw, so a failed update was
    // rejected before it ran (e.g. "not processed by worker" in a burst): nothing happened.
    return new ApiError('SERVICE_UNAVAILABLE', 'the request was not taken up; repeating it is safe');
  }
  if (error instanceof WorkflowFailedError) {
    // Failed for no business reason (e.g. the database stayed away past the retry window).
    return new ApiError('SERVICE_UNAVAILABLE', 'the operation could not be completed; repeating the same request is safe');
  }
  if (isUnavailable(error)) {
    return new ApiError('SERVICE_UNAVAILABLE', 'a backing service is unavailable; retrying the same request is safe');
  }
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.too.large') return new ApiError('PAYLOAD_TOO_LARGE', 'the request body is too large');
  if (parserError?.type === 'entity.parse.failed') return new ApiError('MALFORMED_JSON', 'the request body is not valid JSON');
  // Any other client error Express or body-parser raised (a malformed %-escape in the
  // path, an unsupported charset, ...).
  if (parserError?.status && parserError.status >= 400 && parserError.status < 500) {
    return new ApiError('VALIDATION_FAILED', `the request could not be read: ${(error as Error).message}`);
  }
  // PostgreSQL refused text the schemas let through (e.g. bytes it cannot store).
  if ((error as { code?: string })?.code === '22021') {
    return new ApiError('VALIDATION_FAILED', 'the request contains characters that cannot be stored');
  }
  return new ApiError('INTERNAL', 'an unexpected error occurred; it has been logged');
}

export const createErrorHandler =
  (logger: Logger) =>
  (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const log = req.log ?? logger;
    if (error instanceof ClientGoneError) {
      // Nobody is listening: the work was skipped on purpose and there is no one to answer.
      log.info('the client left before its work started; skipped');
      return;
    }
    const apiError = toApiError(error);
    const status = statusOf[apiError.code];
    res.locals.errorCode = apiError.code;
    if (error instanceof OutcomePendingError || error instanceof WorkflowUpdateFailedError) res.setHeader('Retry-After', '1');
    // Our own 503s (a service away, an outcome still pending) are expected states, not bugs.
    const expected = isAnswerable(error) || error instanceof OutcomePendingError || error instanceof WorkflowUpdateFailedError;
    if (expected && status === 503) log.warn({ code: apiError.code, details: apiError.details }, apiError.message);
    else if (status >= 500) log.error({ err: error }, 'request failed');
    if (res.headersSent) return;
    res.status(status).json(errorBody(apiError));
  };

export const notFoundHandler = (req: Request): never => {
  throw new ApiError('NOT_FOUND', `no route for ${req.method} ${req.path}`);
};
