/**
 * Codes for business outcomes that are not the caller's bug and not an outage: the
 * same string is an ApplicationFailure `type` inside Temporal and the `code` of the API's
 * error body, so one table (`statusOf` in src/api/errors.ts) maps each to an HTTP status.
 */
export const BusinessErrorCode = {
  COUPON_NOT_FOUND: 'COUPON_NOT_FOUND',
  SOLD_OUT: 'SOLD_OUT',
  ALREADY_ISSUED: 'ALREADY_ISSUED',
  NOT_IN_ISSUE_PERIOD: 'NOT_IN_ISSUE_PERIOD',
  PRODUCT_NOT_FOUND: 'PRODUCT_NOT_FOUND',
  OPTION_NOT_FOUND: 'OPTION_NOT_FOUND',
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  RESERVATION_NOT_FOUND: 'RESERVATION_NOT_FOUND',
  INVALID_STOCK_TRANSITION: 'INVALID_STOCK_TRANSITION',
  CART_EMPTY: 'CART_EMPTY',
  ORDER_TOO_LARGE: 'ORDER_TOO_LARGE',
  ORDER_LIMIT_EXCEEDED: 'ORDER_LIMIT_EXCEEDED',
  CUSTOMER_HOLD_LIMIT: 'CUSTOMER_HOLD_LIMIT',
  CART_ITEM_NOT_FOUND: 'CART_ITEM_NOT_FOUND',
  COUPON_NOT_USABLE: 'COUPON_NOT_USABLE',
  COUPON_MIN_ORDER_NOT_MET: 'COUPON_MIN_ORDER_NOT_MET',
  DISCOUNT_EXCEEDS_TOTAL: 'DISCOUNT_EXCEEDS_TOTAL',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  ORDER_NOT_PAYABLE: 'ORDER_NOT_PAYABLE',
  ORDER_NOT_CANCELLABLE: 'ORDER_NOT_CANCELLABLE',
  ORDER_FAILED: 'ORDER_FAILED',
  ORDER_NOT_PLACED: 'ORDER_NOT_PLACED',
  ORDER_NOT_COMPLETED: 'ORDER_NOT_COMPLETED',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  PAYMENT_IN_PROGRESS: 'PAYMENT_IN_PROGRESS',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
} as const;

export type BusinessErrorCode = (typeof BusinessErrorCode)[keyof typeof BusinessErrorCode];

export const isBusinessErrorCode = (value: unknown): value is BusinessErrorCode =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(BusinessErrorCode, value);

/** A business refusal as a value: its code, a message for people, details for programs. */
export interface Refusal {
  code: BusinessErrorCode;
  message: string;
  details: Record<string, unknown> | null;
}

/** What a request produced: a value, or a business refusal (both final, both worth storing). */
export type Result<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export const succeeded = <T>(value: T): Result<T> => ({ ok: true, value });
export const refused = <T>(refusal: Refusal): Result<T> => ({ ok: false, refusal });

/**
 * A failure with a code, thrown where the answer is not a value (a refusal on a path
 * that returns nothing, or an error the API detects itself). The one error class every
 * layer throws; the API answers it by its code (src/api/errors.ts).
 */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'CodedError';
  }
}

/** A refusal thrown: nothing happened, and the caller is told why. */
export const refusalError = (refusal: Refusal): CodedError<BusinessErrorCode> => new CodedError(refusal.code, refusal.message, refusal.details);
