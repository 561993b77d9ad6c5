import type { Knex } from 'knex';
import { createProductSalesRepository } from '../db/repositories/productSales';

/** The sales rollup's database work: see createProductSalesRepository().rollUp. */
export const createSalesRollupActivities = (deps: { db: Knex }) => {
  const sales = createProductSalesRepository(deps.db);
  return {
    async rollUpProductSales(): Promise<{ from: string; to: string; lateBuckets: number; rows: number }> {
      const done = await sales.rollUp();
      return { from: done.from.toISOString(), to: done.to.toISOString(), lateBuckets: done.lateBuckets, rows: done.rows };
    },
  };
};

export type SalesRollupActivities = ReturnType<typeof createSalesRollupActivities>;
