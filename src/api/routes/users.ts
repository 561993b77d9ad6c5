import { z } from 'zod';
import { createUserCouponRepository } from '../../db/repositories/userCoupons';
import { createUserRepository } from '../../db/repositories/users';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { presentUserCoupon, userCouponSchema, userCouponStatusSchema } from './coupons.schemas';

const userSchema = z
  .object({
    id: z.uuid(),
    email: z.email(),
    name: z.string(),
    role: z.enum(['customer', 'admin']),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export const userRoutes = (deps: AppDeps) => {
  const users = createUserRepository(deps.db);
  const userCoupons = createUserCouponRepository(deps.db);
  return [
    defineRoute({
      method: 'get',
      path: '/users/me',
      operationId: 'getCurrentUser',
      summary: 'The signed-in user',
      description:
        "The signed-in user's account: id, email, name and role.",
      tag: 'users',
      access: 'authenticated',
      success: { status: 200, description: 'The user', schema: userSchema },
      errors: ['UNAUTHORIZED', 'USER_NOT_FOUND'],
      async handle({ principal }) {
        const user = await users.findById(principal.userId);
        // A valid token for a user that no longer exists.
        if (!user) throw new ApiError('USER_NOT_FOUND', 'the user of this token no longer exists');
        return { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/users/me/coupons',
      operationId: 'listMyCoupons',
      summary: "The signed-in user's coupons, newest first",
      description:
        'The coupons the signed-in user has claimed, newest first, with whether each is used.',
      tag: 'users',
      access: 'authenticated',
      query: z.strictObject({ status: userCouponStatusSchema.optional() }),
      success: { status: 200, description: 'Coupons held', schema: z.object({ items: z.array(userCouponSchema) }) },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED'],
      async handle({ principal, query }) {
        const now = new Date();
        const rows = await userCoupons.listForUser(principal.userId, { status: query.status, now });
        return { items: rows.map((row) => presentUserCoupon(row, now)) };
      },
    }),
  ];
};
