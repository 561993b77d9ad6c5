/**
 * What the data platform receives for each completed order, and the delivery workflows'
 * inputs and results (src/workflows/deliverCompletedOrders.ts).
 */

/** Raised when the payload's shape changes, so the data platform can read old and new. */
export const COMPLETED_ORDER_SCHEMA_VERSION = 1;

/** The order as it completed; amounts in the smallest currency unit. */
export interface CompletedOrderRecord {
  schemaVersion: typeof COMPLETED_ORDER_SCHEMA_VERSION;
  orderId: string;
  customer: { id: string };
  items: { productId: string; productOptionId: string; productName: string; optionName: string; unitPrice: number; quantity: number; lineAmount: number }[];
  amounts: { total: number; discount: number; final: number };
  /** The coupon the order used, or null. */
  coupon: { userCouponId: string; couponId: string; name: string; discountType: string; discountValue: number } | null;
  paymentKey: string;
  paidAt: string;
}

export interface DeliveryInput {
  /** Deliveries claimed and sent per round. */
  batchSize: number;
  /** Requests to the data platform at once. */
  concurrency: number;
  /** A run stops claiming new rounds after this long; the next run goes on. */
  budgetMs: number;
  /** A delivery failing for longer than this raises NeedsAttention. */
  attentionAfterMs: number;
}

export interface DeliveryReport {
  delivered: number;
  failed: number;
  /** Still to deliver when the run ended (due later, or left for the next run). */
  undelivered: number;
  /** Failing for longer than attentionAfterMs: what ops must look at. */
  stuck: number;
  /** The longest-failing one, for the log line that names it. */
  oldestStuck: { orderId: string; attempts: number; failingSince: string; lastError: string | null } | null;
}
