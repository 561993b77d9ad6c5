import type { SimulatorResponse } from '../simulatorKit/answers';
import { codedResponse, SimulatorHttpError, type SimulatorErrors } from '../simulatorKit/httpError';

/** The gateway's error codes and the one table from code to HTTP status. */
export const gatewayStatusOf = {
  VALIDATION_FAILED: 400,
  CARD_DECLINED: 402,
  NOT_FOUND: 404,
  PAYMENT_NOT_FOUND: 404,
  ALREADY_PAID: 409,
  REQUEST_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  GATEWAY_ERROR: 500,
  GATEWAY_UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
} as const;

export type GatewayErrorCode = keyof typeof gatewayStatusOf;

/** A status and JSON body: what is sent, and what is stored under an idempotency key. */
export type GatewayResponse = SimulatorResponse;

export const errorResponse = (code: GatewayErrorCode, message: string, details: unknown = null): GatewayResponse =>
  codedResponse(gatewayStatusOf, code, message, details);

/** Thrown to answer with an error right away; never stored under an idempotency key. */
export class GatewayHttpError extends SimulatorHttpError<GatewayErrorCode> {
  protected readonly statusOf = gatewayStatusOf;
}

export const gatewayErrors: SimulatorErrors<GatewayErrorCode> = {
  HttpError: GatewayHttpError,
  codes: { validationFailed: 'VALIDATION_FAILED', notFound: 'NOT_FOUND', payloadTooLarge: 'PAYLOAD_TOO_LARGE', unexpected: 'GATEWAY_ERROR' },
  unexpectedMessage: 'an unexpected error occurred in the gateway simulator; it has been logged',
};
