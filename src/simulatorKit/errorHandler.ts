import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logging/logger';
import type { SimulatorErrors, SimulatorHttpError } from './httpError';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** What to answer for anything a request failed with, in the simulator's words. */
function toSimulatorError<C extends string>(error: unknown, { HttpError, codes, unexpectedMessage }: SimulatorErrors<C>): SimulatorHttpError<C> {
  if (error instanceof HttpError) return error;
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.too.large') return new HttpError(codes.payloadTooLarge, 'the request body is too large');
  if (parserError?.type === 'entity.parse.failed') return new HttpError(codes.validationFailed, 'the request body is not valid JSON');
  if (parserError?.status && parserError.status >= 400 && parserError.status < 500) {
    return new HttpError(codes.validationFailed, `the request could not be read: ${(error as Error).message}`);
  }
  return new HttpError(codes.unexpected, unexpectedMessage);
}

/** The last route: a request nothing else answered. */
export const noRoute =
  <C extends string>({ HttpError, codes }: SimulatorErrors<C>) =>
  (req: Request): never => {
    throw new HttpError(codes.notFound, `no route for ${req.method} ${req.path}`);
  };

/** Answers every failure in the error shape; logs the ones the simulator did not throw on purpose. */
export const createErrorHandler =
  <C extends string>(logger: Logger, errors: SimulatorErrors<C>) =>
  (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const simulatorError = toSimulatorError(error, errors);
    if (!(error instanceof errors.HttpError)) (req.log ?? logger).error({ err: error }, 'request failed');
    if (res.headersSent || res.destroyed) return;
    const { status, body } = simulatorError.toResponse();
    res.status(status).json(body);
  };
