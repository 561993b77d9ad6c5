import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so ops can find a user's or a coupon's workflows in the
 * Web UI (e.g. `CouponId = "..."`). Registered at start-up on the dev server and on an
 * existing cluster alike (src/temporal/registerSearchAttributes.ts).
 */
export const CouponIdAttribute = defineSearchAttributeKey('CouponId', SearchAttributeType.KEYWORD);
export const UserIdAttribute = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);

/** Order and saga workflows: find an order's workflows, a customer's, those in a state. */
export const OrderIdAttribute = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const CustomerIdAttribute = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
/** Not "Status": that name is taken by Temporal's own ExecutionStatus in the Web UI. */
export const OrderStateAttribute = defineSearchAttributeKey('OrderState', SearchAttributeType.KEYWORD);
/** Set while a compensation keeps failing: `NeedsAttention = true` lists what ops must look at. */
export const NeedsAttentionAttribute = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);

export const customSearchAttributes = [
  CouponIdAttribute,
  UserIdAttribute,
  OrderIdAttribute,
  CustomerIdAttribute,
  OrderStateAttribute,
  NeedsAttentionAttribute,
];
