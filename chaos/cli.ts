/**
 * `npm run chaos -- run`: a checkout load on a stack of its own while its parts are
 * SIGKILLed on a seeded schedule, then the books checked (chaos/run.ts); exits 1 on any
 * violation. docs/chaos.md has what it does and what a run found.
 *
 *   npm run chaos -- run [--minutes 5] [--seed 1] [--kills 10] [--shoppers 16] [--stock 400] [--out chaos/results/run.json]
 *
 * `npm run chaos -- check`: reads a running platform's books (DATABASE_URL, the
 * platform's PostgreSQL with the gateway simulator's schema beside it; TEMPORAL_ADDRESS
 * and TEMPORAL_NAMESPACE for its workflows) and prints every invariant violation
 * (chaos/invariants.ts) as JSON; exits 1 if there is any. Run it once the load has stopped
 * and the workflows are quiet.
 *
 *   DATABASE_URL=postgres://... TEMPORAL_ADDRESS=127.0.0.1:7233 npm run chaos -- check [--grace-seconds 60]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../src/db/knex';
import { connectClient } from '../src/temporal/client';
import { checkInvariants } from './invariants';
import { runChaos, type ChaosResult } from './run';

const USAGE = `usage:
  npm run chaos -- run [--minutes 5] [--seed 1] [--kills 10] [--shoppers 16] [--stock 400] [--out FILE]
  npm run chaos -- check [--grace-seconds 60] [--task-queue Q]
(see chaos/cli.ts and docs/chaos.md)`;

async function check(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'grace-seconds': { type: 'string', default: '60' }, 'task-queue': { type: 'string' } } });
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('set DATABASE_URL to the platform\'s PostgreSQL');
    return 2;
  }
  const db = createDb({ url: databaseUrl, poolMax: 4 });
  const temporal = process.env.TEMPORAL_ADDRESS
    ? await connectClient({ address: process.env.TEMPORAL_ADDRESS, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' })
    : undefined;
  try {
    const report = await checkInvariants({
      db,
      client: temporal?.client,
      taskQueue: values['task-queue'],
      pendingGraceMs: Number(values['grace-seconds']) * 1000,
    });
    console.log(JSON.stringify(report, null, 2));
    console.error(report.violations.length === 0 ? 'no violations' : `${report.violations.length} violation(s)`);
    return report.violations.length === 0 ? 0 : 1;
  } finally {
    await db.destroy();
    await temporal?.connection.close();
  }
}

const positive = (name: string, value: string | undefined, fallback: number): number => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
  return n;
};

async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      minutes: { type: 'string' },
      seed: { type: 'string' },
      kills: { type: 'string' },
      shoppers: { type: 'string' },
      stock: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const seed = Math.floor(positive('seed', values.seed, 1));
  const options = {
    minutes: positive('minutes', values.minutes, 5),
    seed,
    kills: Math.floor(positive('kills', values.kills, 10)),
    shoppers: Math.max(1, Math.floor(positive('shoppers', values.shoppers, 16))),
    stock: Math.floor(positive('stock', values.stock, 400)),
    out: values.out ?? path.join(__dirname, 'results', `run-seed${seed}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
  };
  const result = await runChaos(options, (line) => console.error(line));
  console.log(summary(result));
  return result.violations === 0 ? 0 : 1;
}

function summary(result: ChaosResult): string {
  const lines = [
    `chaos run: seed ${result.options.seed}, ${result.options.minutes} min of load, ${result.options.shoppers} shoppers, ${(result.durationMs / 1000).toFixed(0)} s in all`,
    `requests: ${result.requests.exchanges} (${result.requests.attempts} attempts; ${result.requests.repeated} repeated with the same key; ${result.requests.gaveUpDuringLoad} given up during the load)`,
    `kills: ${result.kills.length} (${Object.entries(result.killsByTarget).map(([t, n]) => `${t} ${n}`).join(', ')})`,
    `faults: card tokens ${Object.entries(result.faultsInjected.cardTokens).map(([t, n]) => `${t} ${n}`).join(', ')}; gateway failure rate ${result.faultsInjected.gatewayFailureRate}, latency ${result.faultsInjected.gatewayLatencyMs} ms`,
    `orders: ${Object.entries(result.orders).map(([s, n]) => `${s} ${n}`).join(', ')}`,
    `maintenance: ${result.maintenance.refunded} refunded, ${result.maintenance.flagged} flagged, ${result.maintenance.released} released; ${result.invariants.needsAttention} sagas need attention`,
    `violations: ${result.violations}`,
    ...[...result.invariants.violations, ...result.clientView.violations].map((v) => `  ${v.rule} ${JSON.stringify(v.ids)}: ${v.detail}`),
    ...(result.quiescence.stillRunning > 0 ? [`  quiescence: ${result.quiescence.stillRunning} workflows still running after ${result.quiescence.waitedMs} ms`] : []),
    `result: ${result.options.out}`,
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'check') return check(rest);
  if (command === 'run') return run(rest);
  console.error(USAGE);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
