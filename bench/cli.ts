/**
 * `npm run bench -- <scenario> [options]`: measures the platform through its public API
 * and, in the same run on the same machine, the limits of the parts underneath
 * (PostgreSQL via pgbench, Temporal via no-op workflows), so each figure is read as a
 * ratio to them. Starts and stops the stack itself unless API_URL points at one.
 * Checks exact counts and exits non-zero when they are wrong. Not part of `npm test`.
 *
 *   npm run bench -- coupon-rush   [--users 1000] [--quantity 100]
 *   npm run bench -- checkout-rush [--buyers 500] [--stock 100]
 *   npm run bench -- report        (docs/benchmarks.md and its chart from bench/results)
 */
import { parseArgs } from 'node:util';
import { noopWorkflowBaseline } from './baselines/noopWorkflows';
import { pgbenchBaseline } from './baselines/pgbench';
import { createHttp } from './lib/http';
import { benchPlatform } from './lib/platform';
import { saveResult } from './lib/results';
import { writeReport } from './report';
import { checkoutRush } from './scenarios/checkoutRush';
import { couponRush } from './scenarios/couponRush';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    users: { type: 'string', default: '1000' },
    quantity: { type: 'string', default: '100' },
    buyers: { type: 'string', default: '500' },
    stock: { type: 'string', default: '100' },
    'baseline-seconds': { type: 'string', default: '10' },
  },
});

const ratio = (a: number, b: number | undefined) => (b ? Math.round((a / b) * 100) / 100 : null);

async function main(): Promise<number> {
  const scenario = positionals[0];
  if (scenario === 'report') {
    console.log(`wrote ${await writeReport()}`);
    return 0;
  }
  if (scenario !== 'coupon-rush' && scenario !== 'checkout-rush') {
    console.error('usage: npm run bench -- coupon-rush|checkout-rush|report [options] (see bench/cli.ts)');
    return 2;
  }
  const platform = await benchPlatform();
  const http = createHttp(platform.apiUrl);
  const gateway = createHttp(platform.paymentGatewayUrl, 64);
  try {
    let result: Record<string, unknown>;
    if (scenario === 'coupon-rush') {
      const users = Number(values.users);
      const measured = await couponRush(http, { users, quantity: Number(values.quantity) });
      const pg = await pgbenchBaseline(platform.databaseUrl, { clients: users, seconds: Number(values['baseline-seconds']) });
      const noop = await noopWorkflowBaseline(platform.temporalAddress, { count: users, activities: 1, kind: 'local' });
      result = {
        ...measured,
        baselines: { pgbench: pg, noopWorkflows: { ...noop, latenciesMs: undefined } },
        ratios: {
          claimsPerSecondToNoopWorkflows: ratio(measured.claimsPerSecond, noop.workflowsPerSecond),
          claimsPerSecondToPgbench: ratio(measured.claimsPerSecond, 'transactionsPerSecond' in pg ? pg.transactionsPerSecond : undefined),
        },
      };
    } else {
      const buyers = Number(values.buyers);
      const stock = Number(values.stock);
      const measured = await checkoutRush(http, gateway, { buyers, stock });
      const noop = await noopWorkflowBaseline(platform.temporalAddress, { count: Math.min(buyers, stock), activities: 3, kind: 'remote' });
      result = {
        ...measured,
        baselines: { noopWorkflows: { ...noop, latenciesMs: undefined } },
        ratios: {
          payOrdersPerSecondToNoopWorkflows: ratio(measured.pay.ordersPerSecond, noop.workflowsPerSecond),
          placeOrdersPerSecondToNoopWorkflows: ratio(measured.place.ordersPerSecond, noop.workflowsPerSecond),
        },
      };
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
