import { LRUCache } from 'lru-cache';
import type { Knex } from 'knex';
import { createCouponRepository, type Coupon } from '../db/repositories/coupons';

/**
 * How long the API trusts a coupon row it has read. A rush sends every claim on one coupon
 * at once; reading its row once a second rather than once a claim takes a query off each.
 * Safe because the API refuses from this row only what stays true (a sell-out, a period
 * that is over or not begun): a stale row can delay a refusal, never cause a wrong one.
 */
export const COUPON_READ_TTL_MS = 1_000;

/** Coupon rows for the API's fast refusals, read once per TTL per coupon (concurrent reads share one query). */
export function createCouponReads(db: Knex) {
  const coupons = createCouponRepository(db);
  // A coupon that does not exist is not remembered: it may be created a moment later.
  const cache = new LRUCache<string, Coupon>({ max: 10_000, ttl: COUPON_READ_TTL_MS, fetchMethod: (id) => coupons.findById(id) });
  return {
    find: (couponId: string): Promise<Coupon | undefined> => cache.fetch(couponId),
  };
}
