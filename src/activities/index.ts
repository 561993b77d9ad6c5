import type { Knex } from 'knex';
import { createCouponActivities } from './coupons';

/** Every activity the worker registers, wired to its real dependencies. */
export const createActivities = (deps: { db: Knex }) => ({
  ...createCouponActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
