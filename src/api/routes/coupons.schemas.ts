import { z } from 'zod';
import type { Coupon } from '../../db/repositories/coupons';
import type { UserCouponWithCoupon } from '../../db/repositories/userCoupons';
import { couponTermsProblems, remainingQuantity, userCouponStatus } from '../../domain/coupon';
import { amount, instant, MAX_INT, text } from '../schemas';


export const createCouponBody = z
  .strictObject({
    name: text(200),
    discountType: z.enum(['FIXED', 'PERCENTAGE']),
    discountValue: amount.min(1).meta({ description: 'FIXED: amount off; PERCENTAGE: 1..100' }),
    // Absent or null: no minimum.
    minOrderAmount: amount.nullish().transform((v) => v ?? 0),
    totalQuantity: z.number().int().min(1).max(MAX_INT),
    validFrom: instant,
    validUntil: instant,
  })
  .superRefine((terms, ctx) => {
    // zod runs object refinements even when a field already failed (its transform then
    // never ran); cross-field rules only make sense once every field is sound.
    if (ctx.issues.length > 0) return;
    for (const problem of couponTermsProblems(terms)) {
      ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
    }
  });

export const couponSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    discountType: z.enum(['FIXED', 'PERCENTAGE']),
    discountValue: z.number().int(),
    minOrderAmount: z.number().int(),
    totalQuantity: z.number().int(),
    issuedQuantity: z.number().int(),
    remainingQuantity: z.number().int(),
    validFrom: z.iso.datetime(),
    validUntil: z.iso.datetime(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Coupon' });

export const presentCoupon = (coupon: Coupon): z.input<typeof couponSchema> => ({
  id: coupon.id,
  name: coupon.name,
  discountType: coupon.discountType,
  discountValue: coupon.discountValue,
  minOrderAmount: coupon.minOrderAmount,
  totalQuantity: coupon.totalQuantity,
  issuedQuantity: coupon.issuedQuantity,
  remainingQuantity: remainingQuantity(coupon),
  validFrom: coupon.validFrom.toISOString(),
  validUntil: coupon.validUntil.toISOString(),
  createdAt: coupon.createdAt.toISOString(),
});

export const issuedCouponSchema = z
  .object({
    userCouponId: z.uuid(),
    couponId: z.uuid(),
    status: z.literal('AVAILABLE'),
    expiresAt: z.iso.datetime(),
    issuedAt: z.iso.datetime(),
  })
  .meta({ id: 'IssuedCoupon' });

export const userCouponStatusSchema = z.enum(['AVAILABLE', 'USED', 'EXPIRED']);

export const userCouponSchema = z
  .object({
    userCouponId: z.uuid(),
    couponId: z.uuid(),
    name: z.string(),
    discountType: z.enum(['FIXED', 'PERCENTAGE']),
    discountValue: z.number().int(),
    minOrderAmount: z.number().int(),
    status: userCouponStatusSchema,
    issuedAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    usedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'UserCoupon' });

export const presentUserCoupon = (row: UserCouponWithCoupon, now: Date): z.input<typeof userCouponSchema> => ({
  userCouponId: row.id,
  couponId: row.couponId,
  name: row.coupon.name,
  discountType: row.coupon.discountType as 'FIXED' | 'PERCENTAGE',
  discountValue: row.coupon.discountValue,
  minOrderAmount: row.coupon.minOrderAmount,
  status: userCouponStatus(row, now),
  issuedAt: row.issuedAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
  usedAt: row.usedAt ? row.usedAt.toISOString() : null,
});
