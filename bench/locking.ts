/**
 * Locking strategies for one hot stock row, straight against PostgreSQL (no HTTP, no
 * Temporal): the shipped version check against SELECT ... FOR UPDATE and a conditional
 * UPDATE (bench/lib/lockingStrategies.ts).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:locking -- --concurrency 10,100,1000 --repeat 3
 *
 * For each concurrency N it starts N single-unit reservations at once on a fresh option
 * holding S = N/2 units, then S = N (every request succeeds), per strategy, --repeat
 * times (default 3; the table shows the median run, the JSON every run). Each run
 * must be exact: min(N, S) successes, the rest OUT_OF_STOCK, counts that add up, one
 * reservation row per success. Prints a Markdown table, writes the numbers to
 * bench/results/locking-<date>.json, and exits non-zero if any run is inexact. The pool
 * size is DATABASE_POOL_MAX (default 20), as for the platform.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { envSchema } from '../src/config';
import { createDb, migrateToLatest } from '../src/db/knex';
import { createHotOption } from './lib/hotOption';
import { createStrategy, strategyNames, type StrategyName } from './lib/lockingStrategies';
import { machine, saveResult } from './lib/results';
import { summarise, type LatencySummary } from './lib/stats';
import { throwawayDatabase } from './lib/throwawayDatabase';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '10,100,1000' },
    strategies: { type: 'string', default: strategyNames.join(',') },
    repeat: { type: 'string', default: '3' },
  },
});
const concurrencies = values.concurrency.split(',').map(Number);
if (concurrencies.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`--concurrency takes integers >= 2, got ${values.concurrency}`);
const strategies = values.strategies.split(',') as StrategyName[];
const unknown = strategies.filter((s) => !strategyNames.includes(s));
if (unknown.length > 0) throw new Error(`unknown strategies ${unknown.join(', ')}; known: ${strategyNames.join(', ')}`);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat takes a positive integer, got ${values.repeat}`);
const poolMax = envSchema.shape.DATABASE_POOL_MAX.parse(process.env.DATABASE_POOL_MAX);

interface Run {
  strategy: StrategyName;
  concurrency: number;
  stock: number;
  repetition: number;
  successes: number;
  outOfStock: number;
  errors: number;
  firstError?: string;
  seconds: number;
  successesPerSecond: number;
  retries: number;
  retriesPerSuccess: number;
  latencyMs: LatencySummary;
  finalCounts: { total: number; available: number; reserved: number; sold: number; version: number };
  reservationRows: number;
  /** Every check that must hold; `exact` is all of them. */
  checks: Record<string, boolean>;
  exact: boolean;
}

async function run(db: Knex, strategyName: StrategyName, concurrency: number, units: number, repetition: number): Promise<Run> {
  const optionId = await createHotOption(db, units);
  // Each run starts on a vacuumed table with every pooled connection already open.
  await db.raw('vacuum stocks, stock_orders, stock_reservations');
  await Promise.all(Array.from({ length: poolMax }, () => db.raw('select pg_sleep(0.05)')));
  const strategy = createStrategy[strategyName](db);

  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const t0 = performance.now();
      const outcome = await strategy.reserve(randomUUID(), optionId, 1).catch((error: Error) => error);
      return { outcome, ms: performance.now() - t0 };
    }),
  );
  const seconds = (performance.now() - started) / 1000;

  const successes = results.filter((r) => r.outcome === 'OK').length;
  const outOfStock = results.filter((r) => r.outcome === 'OUT_OF_STOCK').length;
  const errors = results.map((r) => r.outcome).filter((o): o is Error => o instanceof Error);
  const row = await db('stocks').where({ option_id: optionId }).first();
  const [lines] = await db('stock_reservations as r')
    .join('stock_orders as o', 'o.order_id', 'r.order_id')
    .where({ 'r.option_id': optionId, 'o.state': 'RESERVED' })
    .select(db.raw('count(*)::int as rows'), db.raw('coalesce(sum(r.quantity), 0)::int as units'));
  const expected = Math.min(concurrency, units);
  const checks = {
    successesAreMinOfRequestsAndStock: successes === expected,
    restAreOutOfStock: outOfStock === concurrency - successes && errors.length === 0,
    countsAddUp: row.available + row.reserved + row.sold === row.total && row.total === units,
    reservedEqualsSuccesses: row.reserved === successes && row.sold === 0,
    oneReservationRowPerSuccess: lines.rows === successes && lines.units === successes,
    oneVersionPerSuccess: row.version === successes,
  };
  const retries = strategy.retries();
  return {
    strategy: strategyName,
    concurrency,
    stock: units,
    repetition,
    successes,
    outOfStock,
    errors: errors.length,
    firstError: errors[0]?.message,
    seconds: Number(seconds.toFixed(3)),
    successesPerSecond: Math.round(successes / seconds),
    retries,
    retriesPerSuccess: successes === 0 ? 0 : Number((retries / successes).toFixed(2)),
    latencyMs: summarise(results.map((r) => r.ms)),
    finalCounts: { total: row.total, available: row.available, reserved: row.reserved, sold: row.sold, version: row.version },
    reservationRows: lines.rows,
    checks,
    exact: Object.values(checks).every(Boolean),
  };
}

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n} ms`);

/** The run with the median wall time of each strategy/N/S cell, and that cell's fastest and slowest wall time. */
function medians(runs: Run[]): { median: Run; wall: [number, number]; allExact: boolean }[] {
  const cells = new Map<string, Run[]>();
  for (const r of runs) {
    const key = `${r.concurrency}/${r.stock}/${r.strategy}`;
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  return [...cells.values()].map((cell) => {
    const sorted = [...cell].sort((a, b) => a.seconds - b.seconds);
    return {
      median: sorted[Math.floor((sorted.length - 1) / 2)],
      wall: [sorted[0].seconds, sorted[sorted.length - 1].seconds],
      allExact: cell.every((r) => r.exact),
    };
  });
}

function markdown(runs: Run[]): string {
  const rows = medians(runs).map(({ median: r, wall, allExact }) =>
    [
      r.strategy,
      r.concurrency,
      r.stock,
      r.successes,
      ms(Math.round(r.seconds * 1000)),
      `${ms(Math.round(wall[0] * 1000))} – ${ms(Math.round(wall[1] * 1000))}`,
      r.successesPerSecond,
      r.retriesPerSuccess,
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p95),
      ms(r.latencyMs.p99),
      allExact ? 'yes' : '**NO**',
    ].join(' | '),
  );
  return [
    `Median of ${repeat} run(s) by wall time; exact means every run was.`,
    '',
    '| strategy | N | S | successes | wall time | wall range | successes/s | retries/success | p50 | p95 | p99 | exact |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}

async function main() {
  const { url, drop } = await throwawayDatabase('locking_bench');
  const db = createDb({ url, poolMax });
  const runs: Run[] = [];
  try {
    await migrateToLatest(db);
    const { rows } = await db.raw('select version()');
    const postgres = rows[0].version as string;
    console.error(`pool ${poolMax}, ${postgres}`);
    for (const concurrency of concurrencies) {
      for (const units of [Math.floor(concurrency / 2), concurrency]) {
        for (let repetition = 0; repetition < repeat; repetition++) {
          // Rotate the order on each repetition so no strategy always runs first (or last).
          const order = strategies.map((_, i) => strategies[(i + repetition) % strategies.length]);
          for (const strategy of order) {
            const r = await run(db, strategy, concurrency, units, repetition);
            const failed = Object.keys(r.checks).filter((k) => !r.checks[k]);
            console.error(
              `${strategy} N=${concurrency} S=${units}: ${r.successes} ok in ${r.seconds} s, ${r.retries} retries, p99 ${r.latencyMs.p99} ms` +
                (r.exact ? '' : ` INEXACT: ${failed.join(', ')}`) +
                (r.firstError ? ` (first error: ${r.firstError})` : ''),
            );
            runs.push(r);
          }
        }
      }
    }
    const file = await saveResult('locking', {
      machine: { ...machine(), postgres, poolSize: poolMax },
      parameters: { concurrencies, strategies, repeat },
      exact: runs.every((r) => r.exact),
      runs,
    });
    console.log(markdown(runs));
    console.log(`\n${path.relative(process.cwd(), file)}`);
    if (runs.some((r) => !r.exact)) process.exitCode = 1;
  } finally {
    await db.destroy();
    await drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
