import type { Knex } from 'knex';
import type { UserCouponStatus } from '../../domain/coupon';

export interface UserCoupon {
  id: string;
  userId: string;
  couponId: string;
  issuedAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedOrderId: string | null;
  issuedByRunId: string;
  claimId: string | null;
}

interface UserCouponRow {
  id: string;
  user_id: string;
  coupon_id: string;
  issued_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_order_id: string | null;
  issued_by_run_id: string;
  claim_id: string | null;
}

const toUserCoupon = (row: UserCouponRow): UserCoupon => ({
  id: row.id,
  userId: row.user_id,
  couponId: row.coupon_id,
  issuedAt: row.issued_at,
  expiresAt: row.expires_at,
  usedAt: row.used_at,
  usedOrderId: row.used_order_id,
  issuedByRunId: row.issued_by_run_id,
  claimId: row.claim_id,
});

export interface UserCouponWithCoupon extends UserCoupon {
  coupon: { name: string; discountType: string; discountValue: number; minOrderAmount: number };
}

export function createUserCouponRepository(db: Knex) {
  /** One multi-row insert for a settled batch; the unique (user, coupon) index still guards each row. */
  async function insertMany(
    trx: Knex.Transaction,
    rows: { userId: string; couponId: string; expiresAt: Date; issuedAt: Date; issuedByRunId: string; claimId: string | null }[],
  ): Promise<UserCoupon[]> {
    if (rows.length === 0) return [];
    const inserted = await trx<UserCouponRow>('user_coupons')
      .insert(
        rows.map((r) => ({
          user_id: r.userId,
          coupon_id: r.couponId,
          expires_at: r.expiresAt,
          issued_at: r.issuedAt,
          issued_by_run_id: r.issuedByRunId,
          claim_id: r.claimId,
        })),
      )
      .returning('*');
    return inserted.map(toUserCoupon);
  }

  return {
    insertMany,

    async find(trx: Knex, userId: string, couponId: string): Promise<UserCoupon | undefined> {
      const row = await trx<UserCouponRow>('user_coupons').where({ user_id: userId, coupon_id: couponId }).first();
      return row ? toUserCoupon(row) : undefined;
    },

    /** The coupon's rows for these users, by user id. */
    async findForUsers(trx: Knex, couponId: string, userIds: string[]): Promise<Map<string, UserCoupon>> {
      if (userIds.length === 0) return new Map();
      const rows = await trx<UserCouponRow>('user_coupons').where({ coupon_id: couponId }).whereIn('user_id', userIds);
      return new Map(rows.map((row) => [row.user_id, toUserCoupon(row)]));
    },

    async insert(
      trx: Knex.Transaction,
      userCoupon: { userId: string; couponId: string; expiresAt: Date; issuedAt: Date; issuedByRunId: string },
    ): Promise<UserCoupon> {
      const [row] = await insertMany(trx, [{ ...userCoupon, claimId: null }]);
      return row;
    },

    /**
     * The coupon with its terms, its row locked until the transaction ends: two orders
     * placed at once with the same coupon queue here, and only the first can use it.
     */
    async lockWithTerms(trx: Knex.Transaction, userCouponId: string): Promise<(UserCoupon & { coupon: UserCouponWithCoupon['coupon'] }) | undefined> {
      const row = await trx('user_coupons').where({ id: userCouponId }).forUpdate().first();
      if (!row) return undefined;
      const coupon = await trx('coupons').where({ id: row.coupon_id }).first();
      return {
        ...toUserCoupon(row),
        coupon: {
          name: coupon.name,
          discountType: coupon.discount_type,
          discountValue: coupon.discount_value,
          minOrderAmount: coupon.min_order_amount,
        },
      };
    },

    async markUsed(trx: Knex.Transaction, userCouponId: string, orderId: string): Promise<void> {
      await trx('user_coupons').where({ id: userCouponId }).update({ used_at: trx.fn.now(), used_order_id: orderId });
    },

    /**
     * Gives the coupon back, but only if this order is the one that used it: a retried
     * or late compensation can never free a coupon another order is using.
     */
    async restore(userCouponId: string, orderId: string): Promise<boolean> {
      const updated = await db('user_coupons')
        .where({ id: userCouponId, used_order_id: orderId })
        .update({ used_at: null, used_order_id: null });
      return updated === 1;
    },

    /** A user's coupons, newest first; EXPIRED and AVAILABLE are told apart by `now`. */
    async listForUser(userId: string, filter: { status?: UserCouponStatus; now: Date }): Promise<UserCouponWithCoupon[]> {
      const query = db('user_coupons as uc')
        .join('coupons as c', 'c.id', 'uc.coupon_id')
        .where('uc.user_id', userId)
        .select(
          'uc.*',
          'c.name as coupon_name',
          'c.discount_type',
          'c.discount_value',
          'c.min_order_amount',
        )
        .orderBy([{ column: 'uc.issued_at', order: 'desc' }, { column: 'uc.id' }]);
      if (filter.status === 'USED') query.whereNotNull('uc.used_at');
      if (filter.status === 'AVAILABLE') query.whereNull('uc.used_at').where('uc.expires_at', '>', filter.now);
      if (filter.status === 'EXPIRED') query.whereNull('uc.used_at').where('uc.expires_at', '<=', filter.now);
      const rows: (UserCouponRow & {
        coupon_name: string;
        discount_type: string;
        discount_value: number;
        min_order_amount: number;
      })[] = await query;
      return rows.map((row) => ({
        ...toUserCoupon(row),
        coupon: {
          name: row.coupon_name,
          discountType: row.discount_type,
          discountValue: row.discount_value,
          minOrderAmount: row.min_order_amount,
        },
      }));
    },
  };
}

export type UserCouponRepository = ReturnType<typeof createUserCouponRepository>;
