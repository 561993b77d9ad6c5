import type { Knex } from 'knex';
import type { PaymentGateway } from '../gateway/paymentGateway';
import { createCouponActivities } from './coupons';
import { createOrderActivities } from './orders';
import { createPaymentActivities } from './payments';
import { createStockActivities } from './stock';

export interface ActivityDeps {
  db: Knex;
  gateway: PaymentGateway;
}

/** Every activity the worker registers, wired to its real dependencies. */
export const createActivities = (deps: ActivityDeps) => ({
  ...createCouponActivities(deps),
  ...createStockActivities(deps),
  ...createOrderActivities(deps),
  ...createPaymentActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
