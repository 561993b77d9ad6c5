import type { Knex } from 'knex';
import { createCouponActivities } from './coupons';
import { createStockActivities } from './stock';

/** Every activity the worker registers, wired to its real dependencies. */
export const createActivities = (deps: { db: Knex }) => ({
  ...createCouponActivities(deps),
  ...createStockActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
