import { BusinessErrorCode, CodedError } from '../domain/errors';

/** Codes of failures the API itself detects, beside the business codes from src/domain. */
export const ApiErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  MALFORMED_REQUEST: 'MALFORMED_REQUEST',
  REQUEST_HEADERS_TOO_LARGE: 'REQUEST_HEADERS_TOO_LARGE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode] | BusinessErrorCode;

/** The one table from error code to HTTP status. */
export const statusOf: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  USER_NOT_FOUND: 404,
  COUPON_NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  OPTION_NOT_FOUND: 404,
  RESERVATION_NOT_FOUND: 404,
  CART_ITEM_NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  EMAIL_TAKEN: 409,
  SOLD_OUT: 409,
  ALREADY_ISSUED: 409,
  OUT_OF_STOCK: 409,
  INVALID_STOCK_TRANSITION: 409,
  ORDER_NOT_PAYABLE: 409,
  ORDER_NOT_CANCELLABLE: 409,
  ORDER_FAILED: 409,
  ORDER_NOT_PLACED: 409,
  ORDER_NOT_COMPLETED: 409,
  CUSTOMER_HOLD_LIMIT: 409,
  PAYMENT_IN_PROGRESS: 409,
  PAYMENT_DECLINED: 402,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  REQUEST_HEADERS_TOO_LARGE: 431,
  NOT_IN_ISSUE_PERIOD: 422,
  CART_EMPTY: 422,
  ORDER_TOO_LARGE: 422,
  ORDER_LIMIT_EXCEEDED: 422,
  COUPON_NOT_USABLE: 422,
  COUPON_MIN_ORDER_NOT_MET: 422,
  DISCOUNT_EXCEEDS_TOTAL: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
};

export const isErrorCode = (code: string): code is ErrorCode => Object.prototype.hasOwnProperty.call(statusOf, code);

/** The API's own failures: a CodedError whose code is one the API answers. */
export class ApiError extends CodedError<ErrorCode> {
  get status(): number {
    return statusOf[this.code];
  }
}

/** Any coded error from any layer that the API has an answer for, as is. */
export const isAnswerable = (error: unknown): error is CodedError<ErrorCode> => error instanceof CodedError && isErrorCode(error.code);

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: unknown };
}

export const errorBody = (error: CodedError<ErrorCode>): ErrorBody => ({
  error: { code: error.code, message: error.message, details: error.details },
});
