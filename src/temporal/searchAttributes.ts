import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, so ops can find a user's or a coupon's workflows in the
 * Web UI (e.g. `CouponId = "..."`). Registered at start-up on the dev server and on an
 * existing cluster alike (src/temporal/registerSearchAttributes.ts).
 */
export const CouponIdAttribute = defineSearchAttributeKey('CouponId', SearchAttributeType.KEYWORD);
export const UserIdAttribute = defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD);

export const customSearchAttributes = [CouponIdAttribute, UserIdAttribute];
