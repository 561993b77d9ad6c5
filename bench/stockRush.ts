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
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createStockActivities } from '../src/activities/stock';
import { createDb, migrateToLatest } from '../src/db/knex';
import { createProductRepository } from '../src/db/repositories/products';
import { startEmbeddedPostgres } from '../src/dev/embeddedPostgres';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '1000' },
    stock: { type: 'string', default: '500' },
    pool: { type: 'string', default: '20' },
  },
});
const requests = Number(values.requests);
const units = Number(values.stock);

async function database(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!process.env.DATABASE_URL) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'stock-bench-'));
    await fs.chmod(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: 54400 + Math.floor(Math.random() * 500), database: 'bench' });
    return { url: pg.url, drop: async () => (await pg.stop(), await fs.rm(dir, { recursive: true, force: true })) };
  }
  const name = `stock_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}

async function main() {
  const { url, drop } = await database();
  const db = createDb({ url, poolMax: Number(values.pool) });
  try {
    await migrateToLatest(db);
    const product = await createProductRepository(db).insert({
      name: 'bench',
      description: null,
      price: 1,
      category: 'bench',
      imageUrl: null,
      options: [{ type: 'DEFAULT', name: 'Default', additionalPrice: 0, stock: units }],
    });
    const optionId = product.options[0].id;
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
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    const p = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
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
          latencyMs: { p50: p(0.5), p95: p(0.95), p99: p(0.99), max: Math.round(latencies[latencies.length - 1]) },
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
