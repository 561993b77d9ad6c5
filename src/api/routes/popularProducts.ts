import { z } from 'zod';
import { createProductSalesRepository } from '../../db/repositories/productSales';
import type { AppDeps } from '../deps';
import { defineRoute } from '../route';
import { presentSummary, productSummarySchema } from './products.schemas';

const popularQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(30).default(3),
  limit: z.coerce.number().int().min(1).max(20).default(5),
});

const popularSchema = z
  .object({
    days: z.number().int(),
    /** Sales are counted up to here (the rollup's last run, every minute by default); null before its first. */
    rolledUpTo: z.iso.datetime({ offset: true }).nullable(),
    items: z.array(z.object({ product: productSummarySchema, unitsSold: z.number().int(), orderCount: z.number().int() })),
  })
  .meta({ id: 'PopularProducts' });

/** Browsers and proxies may keep the answer this long: the rollup behind it moves once a minute. */
const CACHE_SECONDS = 30;

export const popularProductRoutes = (deps: AppDeps) => {
  const sales = createProductSalesRepository(deps.db);
  return [
    defineRoute({
      method: 'get',
      path: '/products/popular',
      operationId: 'listPopularProducts',
      summary: 'The best-selling products of the last days',
      description:
        'The products with the most units sold in COMPLETED orders over the last `days` days (1-30, default 3; counted in whole hours, from the start of the hour `days` days ago), at most `limit` (1-20, default 5). Ties go to more orders, then the newer product, then the id. Read from an hourly rollup a Temporal Schedule keeps up to date (`rolledUpTo`); cacheable for 30 s.',
      tag: 'catalog',
      access: 'public',
      query: popularQuery,
      success: { status: 200, description: 'The best sellers, best first', schema: popularSchema },
      errors: ['VALIDATION_FAILED'],
      async handle({ query, res }) {
        const [items, rolledUpTo] = await Promise.all([sales.popular(query), sales.rolledUpTo()]);
        res.setHeader('Cache-Control', `public, max-age=${CACHE_SECONDS}`);
        return {
          days: query.days,
          rolledUpTo: rolledUpTo?.toISOString() ?? null,
          items: items.map((p) => ({ product: presentSummary(p), unitsSold: p.unitsSold, orderCount: p.orderCount })),
        };
      },
    }),
  ];
};
