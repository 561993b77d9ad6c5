// The workflow bundle's entry point: every workflow the worker can run.
export { couponIssuer } from './couponIssuer';
// Retired: the API no longer starts it; kept while runs started before couponIssuer may
// still be open (docs/workflow-changes.md).
export { issueCoupon } from './issueCoupon';
export { placeOrder } from './placeOrder';
export { completeOrder } from './completeOrder';
export { reconcilePayments } from './reconcilePayments';
export { sweepOrphanedHolds, releaseOrphanedHold } from './sweepOrphanedHolds';
export { pruneIdempotencyKeys } from './pruneIdempotencyKeys';
export { rollUpProductSales } from './rollUpProductSales';
export { deliverCompletedOrders, redeliverOrder } from './deliverCompletedOrders';
