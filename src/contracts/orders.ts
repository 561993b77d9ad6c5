/** What the API, the order workflows and their activities say to each other. */
import type { Refusal } from '../domain/errors';
import type { OrderStatus } from '../domain/order';

export type { Refusal };

/** A charge's failure types the saga reads: it may have happened (ask again), or the gateway is away (wait it out). */
export const CHARGE_OUTCOME_UNKNOWN = 'CHARGE_OUTCOME_UNKNOWN';
export const GATEWAY_UNAVAILABLE = 'GATEWAY_UNAVAILABLE';

export interface OrderLineRequest {
  optionId: string;
  quantity: number;
}

export interface PlaceOrderInput extends PaymentBudgets {
  orderId: string;
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  items: OrderLineRequest[];
  fromCart: boolean;
  userCouponId: string | null;
  /** How long the order holds its stock waiting for payment. */
  reservationTtlMs: number;
  /** Unset in production; tests shrink the compensations' retry and pause durations. */
  compensationTimings?: CompensationTimings;
}

/**
 * How long a payment keeps asking the gateway before it gives up and compensates: while
 * the gateway answers it is unavailable (default 5 minutes), and while a charge's outcome
 * is unknown (no answer in time; default 10 minutes). Unset in production unless the
 * operator sets them (GATEWAY_OUTAGE_BUDGET_SECONDS, GATEWAY_UNKNOWN_OUTCOME_BUDGET_SECONDS).
 */
export interface PaymentBudgets {
  gatewayOutageBudgetMs?: number;
  unknownOutcomeBudgetMs?: number;
}

/** How fast a failing compensation is retried (the first backoff) and paused between rounds. */
export interface CompensationTimings {
  retryMs: number;
  pauseMs: number;
}

/** One order line priced from the catalog at placement. */
export interface OrderLine {
  optionId: string;
  productId: string;
  productName: string;
  optionName: string;
  unitPrice: number;
  quantity: number;
}

export interface PreparedOrder {
  lines: OrderLine[];
  /** The cart lines the order was built from, as read; the placement takes them out of the cart. */
  cartLines: { id: string; quantity: number }[];
}

export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
  totalAmount: number;
  discountAmount: number;
  finalAmount: number;
  reservationExpiresAt: string;
}

export type PlacementOutcome = { kind: 'placed'; order: OrderSummary } | { kind: 'refused'; refusal: Refusal };

export interface PayInput {
  cardToken: string;
  /** The client's Idempotency-Key of this payment request, recorded on the order. */
  requestKey: string;
}

export interface PaidOrder {
  orderId: string;
  status: 'COMPLETED';
  paymentKey: string;
  paidAt: string;
  amount: number;
}

/**
 * A payment attempt's end: paid; declined (the order still waits for payment); refused
 * (the order is not payable now); failed (the saga compensated, the order is FAILED);
 * busy (another attempt is running: nothing happened, the request may be repeated).
 */
export type PaymentOutcome =
  | { kind: 'paid'; payment: PaidOrder }
  | { kind: 'busy'; refusal: Refusal }
  | { kind: 'declined'; refusal: Refusal }
  | { kind: 'refused'; refusal: Refusal }
  | { kind: 'failed'; refusal: Refusal };

export type CancelOutcome = { kind: 'cancelled'; order: OrderSummary } | { kind: 'refused'; refusal: Refusal };

export interface CompleteOrderInput extends PaymentBudgets {
  orderId: string;
  userId: string;
  amount: number;
  cardToken: string;
  /** The order's payment attempt number: part of the charge's idempotency key. */
  attempt: number;
  userCouponId: string | null;
  compensationTimings?: CompensationTimings;
}

export type CompleteOrderResult =
  | { kind: 'paid'; payment: PaidOrder }
  | { kind: 'declined'; refusal: Refusal };

export type SagaStep = 'charge' | 'confirmStock' | 'completeOrder';

export interface SagaProgress {
  orderId: string;
  state: 'RUNNING' | 'COMPLETED' | 'DECLINED' | 'COMPENSATING' | 'COMPENSATED';
  currentStep: SagaStep | null;
  completedSteps: SagaStep[];
  failedStep: SagaStep | null;
  failureReason: string | null;
  compensations: { name: string; state: 'PENDING' | 'RUNNING' | 'DONE'; failedRounds: number }[];
  needsAttention: boolean;
}
