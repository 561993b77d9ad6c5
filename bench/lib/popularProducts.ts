import { createDb } from '../../src/db/knex';
import { createProductSalesRepository, popularProductsQuery } from '../../src/db/repositories/productSales';
import type { Http } from './http';
import { summarise } from './stats';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const scansOf = (node: PlanNode): { node: string; relation: string; index?: string }[] => [
  ...(node['Relation Name'] ? [{ node: node['Node Type'], relation: node['Relation Name'], index: node['Index Name'] }] : []),
  ...(node.Plans ?? []).flatMap(scansOf),
];

/**
 * GET /api/v1/products/popular on a database of this size: how long a first run of the
 * sales rollup takes (it recomputes the whole last month of orders), which tables and indexes the endpoint's statement
 * reads (EXPLAIN ANALYZE of the repository's own statement), and the endpoint's latency
 * over `requests` calls one after the other, for the default window (3 days) and the widest (30).
 */
export async function measurePopularProducts(http: Http, databaseUrl: string, requests = 50) {
  const db = createDb({ url: databaseUrl, poolMax: 2 });
  try {
    // The history was written behind the platform's clock (backdated, never completed
    // through it), so the rollup starts over, as its first run on a month of orders does.
    await db('sales_rollup_progress').del();
    const started = performance.now();
    const rolled = await createProductSalesRepository(db).rollUp();
    const rollupSeconds = Math.round((performance.now() - started) / 10) / 100;
    const window = async (days: number) => {
      const { sql, bindings } = popularProductsQuery({ days, limit: 20 });
      const { rows } = await db.raw(`explain (analyze, format json) ${sql}`, bindings);
      const [explained] = rows[0]['QUERY PLAN'] as { Plan: PlanNode; 'Execution Time': number }[];
      const scans = scansOf(explained.Plan);
      const latencies: number[] = [];
      for (let i = 0; i < requests; i++) {
        const reply = await http.call('GET', `/api/v1/products/popular?days=${days}&limit=20`);
        if (reply.status !== 200) throw new Error(`popular products answered ${reply.status}: ${JSON.stringify(reply.body)}`);
        latencies.push(reply.ms);
      }
      return {
        plan: { executionMs: Math.round(explained['Execution Time'] * 100) / 100, scans, readsOrders: scans.some((s) => s.relation === 'orders' || s.relation === 'order_items') },
        latencyMs: summarise(latencies),
      };
    };
    const [{ count }] = await db('product_sales_hourly').count<{ count: string }[]>({ count: '*' });
    return {
      rollup: { seconds: rollupSeconds, rowsWritten: rolled.rows, rollupRows: Number(count) },
      // The default window, and the widest.
      days3: await window(3),
      days30: await window(30),
    };
  } finally {
    await db.destroy();
  }
}
