/**
 * `npm run bench -- <scenario> [options]`: measures the platform through its public API
 * and, in the same run on the same machine, the limits of the parts underneath
 * (PostgreSQL via pgbench, Temporal via no-op workflows), so each figure is read as a
 * ratio to them. Starts and stops the stack itself unless API_URL points at one.
 * Checks exact counts and exits non-zero when they are wrong. Not part of `npm test`.
 *
 *   npm run bench -- coupon-rush   [--users 1000] [--quantity 100]
 *   npm run bench -- checkout-rush [--buyers 500] [--stock 100]
 *   npm run bench -- steady        [--rates 5,10,15,20,30,50,100] [--seconds 60] [--products 50] [--customers 200]
 *   npm run bench -- growth        [--sizes 1000,100000,1000000] [--rate 10] [--seconds 60]
 *   npm run bench -- login-flood   [--rate 5] [--seconds 20] [--flood 200] [--products 10]
 *   npm run bench -- delivery-outage [--rate 2] [--seconds 60] [--products 10]
 *   npm run bench -- locking       [--concurrency 10,100,1000] [--repeat 3]   (PostgreSQL only: bench/locking.ts)
 *   npm run bench -- report        (docs/benchmarks.md and its chart from bench/results)
 *
 * Every scenario but locking and report takes --topology dev (the default: the Temporal
 * CLI dev server, SQLite, one history shard) or --topology postgres (the Temporal server
 * on PostgreSQL, --history-shards 4, --temporal-max-conns 20). The API and the worker
 * run in the harness's process, as `npm start` runs them, unless --api-processes N: then
 * a worker process and N API processes of their own, as docker-compose runs them.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { noopOrderBaseline, noopWorkflowBaseline, noopWorkflowRateBaseline } from './baselines/noopWorkflows';
import { pgbenchBaseline } from './baselines/pgbench';
import { adminToken, customerMaker } from './lib/customers';
import { createHttp, type Http } from './lib/http';
import { benchPlatform, type BenchPlatform, type ProcessOptions, type TopologyOptions } from './lib/platform';
import { saveResult } from './lib/results';
import { tasksPerOrder } from './lib/taskCounts';
import { writeReport } from './report';
import { checkoutRush } from './scenarios/checkoutRush';
import { couponRush } from './scenarios/couponRush';
import { deliveryOutage } from './scenarios/deliveryOutage';
import { growth } from './scenarios/growth';
import { loginFlood } from './scenarios/loginFlood';
import { steady } from './scenarios/steady';

const scenario = process.argv[2];

if (scenario === 'locking') {
  // Straight against PostgreSQL, no stack to start: its own script and options.
  const locking = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'locking.ts'), ...process.argv.slice(3)], { stdio: 'inherit' });
  process.exit(locking.status ?? 1);
}

const { values } = parseArgs({
  args: process.argv.slice(3),
  options: {
    topology: { type: 'string', default: 'dev' },
    'history-shards': { type: 'string', default: '4' },
    'temporal-max-conns': { type: 'string', default: '20' },
    users: { type: 'string', default: '1000' },
    quantity: { type: 'string', default: '100' },
    buyers: { type: 'string', default: '500' },
    stock: { type: 'string', default: '100' },
    rates: { type: 'string', default: '5,10,15,20,30,50,100' },
    rate: { type: 'string', default: '10' },
    sizes: { type: 'string', default: '1000,100000,1000000' },
    seconds: { type: 'string', default: '60' },
    products: { type: 'string', default: '50' },
    customers: { type: 'string', default: '200' },
    'slo-ms': { type: 'string', default: '250' },
    'max-backlog-seconds': { type: 'string', default: '10' },
    'baseline-seconds': { type: 'string', default: '10' },
    'api-processes': { type: 'string' },
    flood: { type: 'string', default: '200' },
  },
});

const positive = (name: keyof typeof values): number => {
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} takes a positive number, got ${values[name]}`);
  return n;
};
const list = (name: keyof typeof values): number[] => {
  const items = String(values[name]).split(',').map(Number);
  if (items.some((n) => !Number.isFinite(n) || n <= 0)) throw new Error(`--${name} takes positive numbers separated by commas, got ${values[name]}`);
  return items;
};
const ratio = (a: number, b: number | undefined) => (b ? Math.round((a / b) * 100) / 100 : null);

function processesOption(): ProcessOptions {
  if (values['api-processes'] === undefined) return 'one';
  const apis = positive('api-processes');
  if (!Number.isInteger(apis)) throw new Error(`--api-processes takes a whole number, got ${apis}`);
  return { apis };
}

function topologyOption(): TopologyOptions {
  if (values.topology === 'dev') return { temporal: 'dev' };
  if (values.topology === 'postgres') return { temporal: 'postgres', historyShards: positive('history-shards'), maxConns: positive('temporal-max-conns') };
  throw new Error(`--topology takes dev or postgres, got ${values.topology}`);
}

async function runCouponRush(platform: BenchPlatform, http: Http) {
  const users = positive('users');
  const measured = await couponRush(http, customerMaker(http, platform), { users, quantity: positive('quantity') });
  const pg = await pgbenchBaseline(platform.databaseUrl, { clients: users, seconds: positive('baseline-seconds') });
  // Capped like pgbench's clients: 10,000 workflows started at once measure the dev
  // server's backlog collapse, not its rate.
  const noop = await noopWorkflowBaseline(platform.temporalAddress, { count: Math.min(users, 1000), activities: 1, kind: 'local' });
  return {
    ...measured,
    baselines: { pgbench: pg, noopWorkflows: { ...noop, latenciesMs: undefined } },
    ratios: {
      claimsPerSecondToNoopWorkflows: ratio(measured.claimsPerSecond, noop.workflowsPerSecond),
      claimsPerSecondToPgbench: ratio(measured.claimsPerSecond, 'transactionsPerSecond' in pg ? pg.transactionsPerSecond : undefined),
    },
  };
}

async function runCheckoutRush(platform: BenchPlatform, http: Http, gateway: Http) {
  const buyers = positive('buyers');
  const stock = positive('stock');
  const { completedOrderIds, ...measured } = await checkoutRush(http, gateway, customerMaker(http, platform), { buyers, stock });
  const tasks = await tasksPerOrder(platform.temporalAddress, platform.temporalNamespace, completedOrderIds);
  const noop = await noopWorkflowBaseline(platform.temporalAddress, { count: Math.min(buyers, stock), activities: 3, kind: 'remote' });
  const noopOrders = await noopOrderBaseline(platform.temporalAddress, { orders: buyers, placed: Math.min(buyers, stock) });
  return {
    ...measured,
    temporalWorkPerCompletedOrder: tasks,
    baselines: { noopWorkflows: { ...noop, latenciesMs: undefined }, noopOrders },
    ratios: {
      payOrdersPerSecondToNoopOrders: ratio(measured.pay.ordersPerSecond, noopOrders.pay.ordersPerSecond),
      placeOrdersPerSecondToNoopOrders: ratio(measured.place.ordersPerSecond, noopOrders.place.ordersPerSecond),
      payOrdersPerSecondToNoopWorkflows: ratio(measured.pay.ordersPerSecond, noop.workflowsPerSecond),
      placeOrdersPerSecondToNoopWorkflows: ratio(measured.place.ordersPerSecond, noop.workflowsPerSecond),
    },
  };
}

/**
 * Beside each rate the platform was measured at, the same rate of no-op workflows with
 * the saga's three activities: how much of the latency Temporal itself accounts for.
 */
async function withRateBaselines<T extends { steps: { ratePerSecond: number; pay: { latencyMs: { p99: number } } }[] }>(platform: BenchPlatform, measured: T) {
  const steps = [];
  const byRate = new Map<number, Awaited<ReturnType<typeof noopWorkflowRateBaseline>>>();
  for (const step of measured.steps) {
    const noop = byRate.get(step.ratePerSecond) ?? await noopWorkflowRateBaseline(platform.temporalAddress, {
      activities: 3,
      kind: 'remote',
      ratePerSecond: step.ratePerSecond,
      seconds: positive('baseline-seconds'),
      maxBacklogSeconds: positive('max-backlog-seconds'),
    });
    byRate.set(step.ratePerSecond, noop);
    steps.push({ ...step, baseline: { noopWorkflows: noop }, ratios: { payP99ToNoopWorkflowP99: ratio(step.pay.latencyMs.p99, noop.latencyMs.p99) } });
  }
  return { ...measured, steps };
}

async function shoppers(platform: BenchPlatform, http: Http) {
  return { admin: await adminToken(http), customers: await customerMaker(http, platform)(positive('customers')) };
}

async function runLoginFlood(platform: BenchPlatform, http: Http, gateway: Http) {
  const probes = [];
  for (let i = 0; i < 20; i++) {
    const probe = { email: `probe-${randomUUID()}@bench.example`, password: 'a probe password' };
    const signup = await http.call('POST', '/api/v1/auth/signup', { body: { ...probe, name: 'Probe' }, headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } });
    if (signup.status !== 201) throw new Error(`probe sign-up failed: ${signup.status} ${JSON.stringify(signup.body)}`);
    probes.push(probe);
  }
  return loginFlood(http, gateway, await shoppers(platform, http), {
    apiUrls: platform.apiUrls,
    ratePerSecond: positive('rate'),
    seconds: positive('seconds'),
    products: positive('products'),
    floodConcurrency: positive('flood'),
    probes,
  });
}

const stepOptions = () => ({ products: positive('products'), sloMs: positive('slo-ms'), maxBacklogSeconds: positive('max-backlog-seconds'), seconds: positive('seconds') });

async function main(): Promise<number> {
  if (scenario === 'report') {
    console.log(`wrote ${await writeReport()}`);
    return 0;
  }
  const scenarios = ['coupon-rush', 'checkout-rush', 'steady', 'growth', 'login-flood', 'delivery-outage'];
  if (!scenarios.includes(scenario)) {
    console.error(`usage: npm run bench -- ${[...scenarios, 'locking', 'report'].join('|')} [options] (see bench/cli.ts)`);
    return 2;
  }
  const topology = topologyOption();
  // The many-addresses flood comes through X-Forwarded-For, as through one proxy.
  if (scenario === 'login-flood') process.env.TRUST_PROXY_HOPS ??= '1';
  const platform = await benchPlatform(topology, processesOption());
  const http = createHttp(platform.apiUrls);
  const gateway = createHttp(platform.paymentGatewayUrl, 64);
  try {
    let result: { exact: boolean } & Record<string, unknown>;
    if (scenario === 'coupon-rush') result = await runCouponRush(platform, http);
    else if (scenario === 'checkout-rush') result = await runCheckoutRush(platform, http, gateway);
    else if (scenario === 'steady') {
      const measured = await steady(http, gateway, await shoppers(platform, http), { ...stepOptions(), rates: list('rates'), pauseSeconds: 5 });
      result = await withRateBaselines(platform, measured);
    } else if (scenario === 'login-flood') {
      result = await runLoginFlood(platform, http, gateway);
    } else if (scenario === 'delivery-outage') {
      result = await deliveryOutage(http, gateway, await shoppers(platform, http), {
        dataPlatformUrl: platform.dataPlatformUrl,
        platformDatabaseUrl: platform.platformDatabaseUrl,
        ratePerSecond: positive('rate'),
        seconds: positive('seconds'),
        products: positive('products'),
      });
    } else {
      const measured = await growth(http, gateway, await shoppers(platform, http), platform.databaseUrl, { ...stepOptions(), ratePerSecond: positive('rate'), sizes: list('sizes') });
      result = await withRateBaselines(platform, measured);
    }
    const file = await saveResult(scenario, { topology: platform.topology, ...result });
    console.log(JSON.stringify(result, null, 2));
    console.log(`saved ${file}`);
    if (!result.exact) console.error('NOT EXACT: the counts above are wrong');
    return result.exact ? 0 : 1;
  } finally {
    await http.close();
    await gateway.close();
    await platform.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
