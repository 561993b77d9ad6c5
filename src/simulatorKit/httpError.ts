import { CodedError } from '../domain/errors';
import type { SimulatorResponse } from './answers';

/** The error answer every simulator gives: `{"error": {"code", "message", "details"}}`. */
export const codedResponse = <C extends string>(
  statusOf: Readonly<Record<C, number>>,
  code: C,
  message: string,
  details: unknown = null,
): SimulatorResponse => ({ status: statusOf[code], body: { error: { code, message, details } } });

/**
 * A simulator's coded error, thrown to answer at once. Each simulator subclasses it with
 * its own codes and its one table from code to HTTP status.
 */
export abstract class SimulatorHttpError<C extends string> extends CodedError<C> {
  protected abstract readonly statusOf: Readonly<Record<C, number>>;

  toResponse(): SimulatorResponse {
    return codedResponse(this.statusOf, this.code, this.message, this.details);
  }
}

/** A simulator's own words for the failures every simulator meets alike. */
export interface SimulatorErrors<C extends string> {
  /** Its error class: what its handlers throw to answer with a code. */
  HttpError: new (code: C, message: string, details?: unknown) => SimulatorHttpError<C>;
  codes: {
    /** A bad body, query, path or header, and a body that is not JSON. */
    validationFailed: C;
    /** No route for the method and path. */
    notFound: C;
    payloadTooLarge: C;
    /** Anything thrown that is not its error class: a bug or a lost database. */
    unexpected: C;
  };
  /** The message of an unexpected failure's 500, naming the simulator. */
  unexpectedMessage: string;
}
