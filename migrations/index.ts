import type { Knex } from 'knex';
import * as createUsers from './20261125000100_create_users';
import * as createCoupons from './20261125000200_create_coupons';
import * as createUserCoupons from './20261125000300_create_user_coupons';
import * as createCatalog from './20261125000400_create_catalog';
import * as allowReturnedStock from './20261125000500_allow_returned_stock';
import * as createOrders from './20261125000600_create_orders';
import * as recordCouponClaims from './20261201000100_record_coupon_claims';
import * as indexOrphanSweeps from './20261202000100_index_orphan_sweeps';
import * as addTokenVersion from './20261202000200_add_token_version';
import * as createAuthRateLimits from './20261202000300_create_auth_rate_limits';
import * as addSagaOutcome from './20261202000400_add_saga_outcome';
import * as indexIdempotencyByAge from './20261202000500_index_idempotency_by_age';
import * as createProductSalesRollup from './20261203000100_create_product_sales_rollup';
import * as createOrderDeliveries from './20261203000200_create_order_deliveries';

/**
 * The migrations in order. Listing them in code (instead of letting Knex scan a folder)
 * makes the same list work from TypeScript sources, compiled JavaScript and tests alike.
 * Append new migrations; never edit one that has landed.
 */
const migrations: Record<string, Knex.Migration> = {
  '20261125000100_create_users': createUsers,
  '20261125000200_create_coupons': createCoupons,
  '20261125000300_create_user_coupons': createUserCoupons,
  '20261125000400_create_catalog': createCatalog,
  '20261125000500_allow_returned_stock': allowReturnedStock,
  '20261125000600_create_orders': createOrders,
  '20261201000100_record_coupon_claims': recordCouponClaims,
  '20261202000100_index_orphan_sweeps': indexOrphanSweeps,
  '20261202000200_add_token_version': addTokenVersion,
  '20261202000300_create_auth_rate_limits': createAuthRateLimits,
  '20261202000400_add_saga_outcome': addSagaOutcome,
  '20261202000500_index_idempotency_by_age': indexIdempotencyByAge,
  '20261203000100_create_product_sales_rollup': createProductSalesRollup,
  '20261203000200_create_order_deliveries': createOrderDeliveries,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
