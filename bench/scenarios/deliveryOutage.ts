import knex from 'knex';
import type { Http } from '../lib/http';
import { cpuSecondsByPart, cpuSnapshot } from '../lib/cpuUsage';
import { summarise } from '../lib/stats';
import { steadyStep, type Shoppers } from './steady';

export interface DeliveryOutageOptions {
  /** The data platform simulator, whose faults the scenario switches. */
  dataPlatformUrl: string;
  /** The platform's database: where the outbox (order_deliveries) says what was delivered when. */
  platformDatabaseUrl: string;
  ratePerSecond: number;
  seconds: number;
  products: number;
}

const POLL_MS = 500;
const DRAIN_WITHIN_MS = 30 * 60_000;

/**
 * Checkouts at a steady rate with the data platform answering, then the same rate while
 * it answers every delivery 503 (its fault switch), then it answers again. Reports the
 * payments' latency while it was down as a ratio to while it was up (the payment answer
 * never waits for a delivery), how long deliveries took to arrive while it was up, and
 * how fast the backlog of the outage drained once it was back. Exact: every order
 * completed in the run delivered once, none left behind.
 */
export async function deliveryOutage(http: Http, gateway: Http, shoppers: Shoppers, options: DeliveryOutageOptions) {
  const db = knex({ client: 'pg', connection: options.platformDatabaseUrl, pool: { min: 0, max: 2 } });
  const faults = async (body: Record<string, unknown>) => {
    const answer = await fetch(`${options.dataPlatformUrl}/admin/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!answer.ok) throw new Error(`the data platform refused its faults: ${answer.status} ${await answer.text()}`);
  };
  const count = async (query: ReturnType<typeof db>): Promise<number> => Number(((await query.count({ count: '*' })) as { count: string }[])[0].count);
  const waiting = () => count(db('order_deliveries').whereNull('delivered_at'));
  const untilDrained = async () => {
    const started = performance.now();
    for (;;) {
      const left = await waiting();
      if (left === 0) return performance.now() - started;
      if (performance.now() - started > DRAIN_WITHIN_MS) throw new Error(`${left} deliveries still waiting after ${DRAIN_WITHIN_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };
  const step = async () => {
    const before = cpuSnapshot();
    const measured = await steadyStep(http, gateway, shoppers, { ratePerSecond: options.ratePerSecond, seconds: options.seconds, products: options.products, sloMs: 250, maxBacklogSeconds: 10 });
    return { ...measured, cpuSeconds: cpuSecondsByPart(before, cpuSnapshot()) };
  };

  try {
    // A first step warms the stack up (JIT, pools, caches).
    await steadyStep(http, gateway, shoppers, { ratePerSecond: options.ratePerSecond, seconds: 5, products: options.products, sloMs: 250, maxBacklogSeconds: 10 });
    await untilDrained();

    const upFrom = new Date();
    const up = await step();
    await untilDrained();
    const lags = await db('order_deliveries as d')
      .join('orders as o', 'o.id', 'd.order_id')
      .where('d.created_at', '>=', upFrom)
      .select(db.raw('extract(epoch from d.delivered_at - o.paid_at) * 1000 as ms'));

    await faults({ unavailable: true });
    const down = await step();
    const backlog = await waiting();
    const attemptsDuringOutage = Number((await db('order_deliveries').whereNull('delivered_at').sum({ sum: 'attempts' }))[0].sum ?? 0);
    await faults({ unavailable: false });
    const drainMs = await untilDrained();

    const queued = await count(db('order_deliveries').where('created_at', '>=', upFrom));
    const completed = (up.pay.outcomes.COMPLETED ?? 0) + (down.pay.outcomes.COMPLETED ?? 0);
    // One record per completed order at the data platform, however often each was sent.
    const stats = (await (await fetch(`${options.dataPlatformUrl}/v1/stats`)).json()) as { records: number; receipts: number };
    const outbox = await count(db('order_deliveries'));
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      exact: up.exact && down.exact && queued === completed && stats.records === outbox,
      dataPlatform: { ...stats, outbox },
      ratePerSecond: options.ratePerSecond,
      up: { place: up.place, pay: up.pay, cpuSeconds: up.cpuSeconds, deliveryLagMs: summarise(lags.map((l: { ms: string }) => Number(l.ms))) },
      down: { place: down.place, pay: down.pay, cpuSeconds: down.cpuSeconds, backlogAtEnd: backlog, attemptsOnBacklog: attemptsDuringOutage },
      back: { drainMs: Math.round(drainMs), drainedPerSecond: Math.round((backlog / Math.max(drainMs, 1)) * 1000 * 10) / 10 },
      ratios: {
        payP50DownToUp: ratio(down.pay.latencyMs.p50, up.pay.latencyMs.p50),
        payP99DownToUp: ratio(down.pay.latencyMs.p99, up.pay.latencyMs.p99),
        placeP99DownToUp: ratio(down.place.latencyMs.p99, up.place.latencyMs.p99),
      },
    };
  } finally {
    await faults({ unavailable: false }).catch(() => undefined);
    await db.destroy();
  }
}
