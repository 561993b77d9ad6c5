import type { Knex } from 'knex';
import type { CouponTerms, DiscountType } from '../../domain/coupon';

export interface Coupon extends CouponTerms {
  id: string;
  name: string;
  issuedQuantity: number;
  createdAt: Date;
}

interface CouponRow {
  id: string;
  name: string;
  discount_type: DiscountType;
  discount_value: number;
  min_order_amount: number;
  total_quantity: number;
  issued_quantity: number;
  valid_from: Date;
  valid_until: Date;
  created_at: Date;
}

const toCoupon = (row: CouponRow): Coupon => ({
  id: row.id,
  name: row.name,
  discountType: row.discount_type,
  discountValue: row.discount_value,
  minOrderAmount: row.min_order_amount,
  totalQuantity: row.total_quantity,
  issuedQuantity: row.issued_quantity,
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  createdAt: row.created_at,
});

export function createCouponRepository(db: Knex) {
  return {
    async insert(coupon: CouponTerms & { name: string }): Promise<Coupon> {
      const [row] = await db<CouponRow>('coupons')
        .insert({
          name: coupon.name,
          discount_type: coupon.discountType,
          discount_value: coupon.discountValue,
          min_order_amount: coupon.minOrderAmount,
          total_quantity: coupon.totalQuantity,
          valid_from: coupon.validFrom,
          valid_until: coupon.validUntil,
        })
        .returning('*');
      return toCoupon(row);
    },

    async findById(id: string, trx: Knex = db): Promise<Coupon | undefined> {
      const row = await trx<CouponRow>('coupons').where({ id }).first();
      return row ? toCoupon(row) : undefined;
    },

    /**
     * Locks the coupon row until the transaction ends. Every claim on one coupon queues
     * here, so the quantity check and the increment that follow see the latest
     * issued_quantity: two claims can never both take the last coupon (the lost-update
     * race a plain read-then-write would have).
     */
    async lockForIssue(trx: Knex.Transaction, id: string): Promise<Coupon | undefined> {
      const row = await trx<CouponRow>('coupons').where({ id }).forUpdate().first();
      return row ? toCoupon(row) : undefined;
    },

    async incrementIssued(trx: Knex.Transaction, id: string, by = 1): Promise<void> {
      await trx('coupons').where({ id }).increment('issued_quantity', by);
    },
  };
}

export type CouponRepository = ReturnType<typeof createCouponRepository>;
