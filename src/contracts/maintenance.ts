import type { OrderStatus } from '../domain/order';

/** The scheduled maintenance workflows' inputs, findings and results (src/workflows/reconcilePayments.ts, sweepOrphanedHolds.ts). */

/** A live charge whose order will never be paid for: it is to be refunded. */
export interface UnbackedCharge {
  orderId: string;
  paymentKey: string;
  amount: number;
  /** The order's status, or null when the platform has no such order. */
  orderStatus: OrderStatus | null;
}

/** A COMPLETED order whose money is not where it should be: for ops to look at. */
export interface PaymentDiscrepancy {
  orderId: string;
  reason: string;
}

export interface PaymentMismatches {
  scannedPayments: number;
  scannedCompletedOrders: number;
  unbackedCharges: UnbackedCharge[];
  discrepancies: PaymentDiscrepancy[];
  /** More findings than one run handles: the next run picks up the rest. */
  truncated: boolean;
}

/** Stock (and maybe a coupon) held for an order that nothing will ever end. */
export interface OrphanedHold {
  orderId: string;
  /**
   * The order's row, or null when the placement stopped before writing it (only stock is
   * held). `confirming`: a payment ran, so it may have charged and confirmed.
   */
  order: { userCouponId: string | null; reach: 'placed' | 'confirming' } | null;
  /** Why it is orphaned, in words for the audit line and the order's failure reason. */
  reason: string;
}

export interface ReconciliationInput {
  /** How far back in approval time each run compares the gateway with the orders. */
  lookbackMs: number;
}

export interface ReconciliationReport {
  window: { from: string; to: string };
  scannedPayments: number;
  scannedCompletedOrders: number;
  refunded: UnbackedCharge[];
  refundFailures: (UnbackedCharge & { error: string })[];
  flagged: PaymentDiscrepancy[];
  truncated: boolean;
}

export interface SweepInput {
  /** How long past its reservation's end (or, without an order, since reserving) a hold is left before it counts as orphaned. */
  graceMs: number;
  /** Candidates looked at per run, of each kind. */
  limit: number;
}

export interface SweepReport {
  found: number;
  released: string[];
  alreadyReleasing: string[];
}

export interface PruneInput {
  /** How long an Idempotency-Key's stored answer is kept. */
  retentionMs: number;
}

export interface PruneReport {
  /** Records created before this were deleted. */
  olderThan: string;
  deleted: number;
}
