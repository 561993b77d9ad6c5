import { Client } from 'pg';
import type { Http } from '../lib/http';
import { seedHistoricalOrders } from '../lib/history';
import { measurePopularProducts } from '../lib/popularProducts';
import { steadyStep, type Shoppers, type SteadyStepOptions } from './steady';

/**
 * The same steady rate on a database that has traded for a while: 1k, then 100k, then
 * 1M historical orders (each size adds to the last). Latency should not grow with the
 * history; when it does, a query is reading more rows than it needs. Beside the
 * latencies, each step records how many rows were read by sequential scans of the
 * tables that grow with orders while the step ran: with the right indexes that stays
 * near zero however large the history is. Before each steady step, GET
 * /api/v1/products/popular is measured too (bench/lib/popularProducts.ts): its read is
 * of the hourly rollup, so its latency should not grow with the orders either.
 */
const GROWING_TABLES = ['orders', 'order_items', 'idempotency_records', 'stock_orders', 'stock_reservations', 'users'];

export async function growth(
  http: Http,
  gateway: Http,
  shoppers: Shoppers,
  databaseUrl: string,
  options: SteadyStepOptions & { sizes: number[] },
) {
  const steps = [];
  let seeded = 0;
  for (const size of [...options.sizes].sort((a, b) => a - b)) {
    process.stderr.write(`growth: writing history up to ${size} orders...\n`);
    await seedHistoricalOrders(databaseUrl, size - seeded, (done) => process.stderr.write(`\r  ${seeded + done}/${size} historical orders   `));
    process.stderr.write('\n');
    seeded = size;
    const popular = await measurePopularProducts(http, databaseUrl);
    const before = await tableScans(databaseUrl);
    const step = await steadyStep(http, gateway, shoppers, options);
    const after = await tableScans(databaseUrl);
    steps.push({
      historicalOrders: size,
      popular,
      tables: Object.fromEntries(
        GROWING_TABLES.map((table) => [
          table,
          {
            rows: after[table].rows,
            sequentialScans: after[table].seqScan - before[table].seqScan,
            rowsReadBySequentialScans: after[table].seqTupRead - before[table].seqTupRead,
            indexScans: after[table].idxScan - before[table].idxScan,
          },
        ]),
      ),
      ...step,
    });
    process.stderr.write(`  place p99 ${step.place.latencyMs.p99} ms, pay p99 ${step.pay.latencyMs.p99} ms, errors ${step.errors}, exact ${step.exact}; popular p99 ${popular.days3.latencyMs.p99} / ${popular.days30.latencyMs.p99} ms (3 / 30 days)\n`);
  }
  return {
    parameters: { sizes: options.sizes, ratePerSecond: options.ratePerSecond, seconds: options.seconds, products: options.products, sloMs: options.sloMs },
    exact: steps.every((s) => s.exact),
    steps,
  };
}

async function tableScans(databaseUrl: string) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // The statistics collector publishes a backend's counts about once a second.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { rows } = await client.query(
      `select relname, n_live_tup::bigint as rows, seq_scan::bigint, seq_tup_read::bigint, coalesce(idx_scan, 0)::bigint as idx_scan
       from pg_stat_user_tables where relname = any($1)`,
      [GROWING_TABLES],
    );
    return Object.fromEntries(
      rows.map((r) => [r.relname, { rows: Number(r.rows), seqScan: Number(r.seq_scan), seqTupRead: Number(r.seq_tup_read), idxScan: Number(r.idx_scan) }]),
    ) as Record<string, { rows: number; seqScan: number; seqTupRead: number; idxScan: number }>;
  } finally {
    await client.end();
  }
}
