/**
 * Optimistic-lock reservation under a rush, straight against PostgreSQL (no HTTP, no
 * Temporal: this measures the retry budget of the stock activities alone).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:stock -- --requests 1000 --stock 500
 *
 * N single-unit reservations start at once on one option holding S units. Exactly
 * min(N, S) must succeed and the rest get OUT_OF_STOCK; it prints time, lost races and
 * per-request latency, and exits non-zero if the outcome is not exact. Uses a throwaway
 * database on the server it is given (embedded PostgreSQL when DATABASE_URL is unset).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createStockActivities } from '../src/activities/stock';
import { createDb, migrateToLatest } from '../src/db/knex';
import { createHotOption } from './lib/hotOption';
import { summarise } from './lib/stats';
import { throwawayDatabase } from './lib/throwawayDatabase';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    stock: { type: 'string', default: '500' },
    pool: { type: 'string', default: '20' },
  },
});
const requests = Number(values.requests);
const units = Number(values.stock);

async function main() {
  const { url, drop } = await throwawayDatabase('stock_bench');
  const db = createDb({ url, poolMax: Number(values.pool) });
  try {
    await migrateToLatest(db);
    const optionId = await createHotOption(db, units);
    let conflicts = 0;
    const { reserveStock } = createStockActivities({ db, conflictRetry: { onConflict: () => (conflicts += 1) } });

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: requests }, async () => {
        const t0 = performance.now();
        const outcome = await reserveStock({ orderId: randomUUID(), items: [{ optionId, quantity: 1 }] }).then(
          () => 'OK',
          (e: { type?: string }) => e.type ?? 'ERROR',
        );
        return { outcome, ms: performance.now() - t0 };
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const ok = results.filter((r) => r.outcome === 'OK').length;
    const outOfStock = results.filter((r) => r.outcome === 'OUT_OF_STOCK').length;
    const stock = await db('stocks').where({ option_id: optionId }).first();
    const exact = ok === Math.min(requests, units) && outOfStock === requests - ok && stock.reserved === ok;
    console.log(
      JSON.stringify(
        {
          requests,
          stock: units,
          reserved: ok,
          outOfStock,
          seconds: Number(seconds.toFixed(2)),
          lostRaces: conflicts,
          latencyMs: summarise(results.map((r) => r.ms)),
          finalCounts: { total: stock.total, available: stock.available, reserved: stock.reserved, sold: stock.sold },
          exact,
        },
        null,
        2,
      ),
    );
    if (!exact) process.exitCode = 1;
  } finally {
    await db.destroy();
    await drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
