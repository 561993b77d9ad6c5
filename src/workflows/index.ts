// The workflow bundle's entry point: every workflow the worker can run.
export { issueCoupon } from './issueCoupon';
export { placeOrder } from './placeOrder';
export { completeOrder } from './completeOrder';
