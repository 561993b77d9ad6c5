import type { Knex } from 'knex';
import type { PaymentGateway } from '../gateway/paymentGateway';
import { createCouponActivities } from './coupons';
import { createOrderActivities } from './orders';
import { createPaymentActivities } from './payments';
import { createStockActivities, type StockLocking } from './stock';

export interface ActivityDeps {
  db: Knex;
  gateway: PaymentGateway;
  /** How stock moves guard their rows (STOCK_LOCKING); the version check by default. */
  stockLocking?: StockLocking;
}

/** Every activity the worker registers, wired to its real dependencies. */
export const createActivities = (deps: ActivityDeps) => ({
  ...createCouponActivities(deps),
  ...createStockActivities({ db: deps.db, locking: deps.stockLocking }),
  ...createOrderActivities(deps),
  ...createPaymentActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
