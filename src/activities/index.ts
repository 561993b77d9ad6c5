import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { OrderLimits } from '../domain/orderLimits';
import type { DataPlatform } from '../dataPlatform/client';
import type { DeliveryBackoff } from '../db/repositories/orderDeliveries';
import type { PaymentGateway } from '../gateway/paymentGateway';
import { createCouponActivities } from './coupons';
import { createOrderDeliveryActivities } from './orderDelivery';
import { createOrderActivities } from './orders';
import { createPaymentActivities } from './payments';
import { createReconciliationActivities } from './reconciliation';
import { createRetentionActivities } from './retention';
import { createSalesRollupActivities } from './salesRollup';
import { createStockActivities, type StockLocking } from './stock';
import { createSweeperActivities } from './sweeper';

export interface ActivityDeps {
  db: Knex;
  gateway: PaymentGateway;
  dataPlatform: DataPlatform;
  /** How long a failing delivery to the data platform waits before its next attempt. */
  deliveryBackoff: DeliveryBackoff;
  /** The sweeper asks Temporal whether an order's workflows still run. */
  client: Client;
  /** How stock moves guard their rows (STOCK_LOCKING); the version check by default. */
  stockLocking?: StockLocking;
  /** What one customer may hold at once (ORDER_MAX_*); none by default. */
  orderLimits?: OrderLimits;
}

/** Every activity the worker registers, wired to its real dependencies. */
export const createActivities = (deps: ActivityDeps) => ({
  ...createCouponActivities(deps),
  ...createStockActivities({ db: deps.db, locking: deps.stockLocking }),
  ...createOrderActivities(deps),
  ...createPaymentActivities(deps),
  ...createReconciliationActivities(deps),
  ...createSweeperActivities(deps),
  ...createRetentionActivities(deps),
  ...createSalesRollupActivities(deps),
  ...createOrderDeliveryActivities(deps),
});

export type Activities = ReturnType<typeof createActivities>;
