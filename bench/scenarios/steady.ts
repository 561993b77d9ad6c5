import { randomUUID } from 'node:crypto';
import { inBatches } from '../lib/burst';
import type { Http, Reply } from '../lib/http';
import { liveCharges } from '../lib/ledger';
import { openModel } from '../lib/openModel';
import { countBy, summarise, type LatencySummary } from '../lib/stats';

/**
 * A normal trading day rather than a rush: orders arrive at a fixed rate (open model)
 * across many products, each placed and then paid by its customer, for a fixed time.
 * One step measures one rate; `steady` climbs a ladder of rates and reports the highest
 * one whose p99 stays within the target for both steps with no errors.
 */
export interface SteadyStepOptions {
  ratePerSecond: number;
  seconds: number;
  /** Products the arrivals spread over (round robin), each with stock for all of them. */
  products: number;
  sloMs: number;
  maxBacklogSeconds: number;
}

export interface Shoppers {
  admin: string;
  customers: string[];
}

interface Arrival {
  productIndex: number;
  customer: string;
  place: Reply;
  placeMs: number;
  pay?: Reply;
  totalMs: number;
}

export async function steadyStep(http: Http, gateway: Http, shoppers: Shoppers, options: SteadyStepOptions) {
  const offered = Math.round(options.ratePerSecond * options.seconds);
  const unitsPerProduct = Math.ceil(offered / options.products) + 1;
  const products = await inBatches(
    Array.from({ length: options.products }, (_, i) => async () => {
      const created = await http.call('POST', '/api/v1/admin/products', {
        token: shoppers.admin,
        body: { name: `bench steady ${i}`, price: 1000 + i, category: 'bench', stock: unitsPerProduct },
      });
      if (created.status !== 201) throw new Error(`product set-up failed: ${created.status} ${JSON.stringify(created.body)}`);
      return { id: created.body.id as string, optionId: created.body.options[0].id as string };
    }),
    20,
  );

  const run = await openModel(
    { label: `${options.ratePerSecond}/s`, ratePerSecond: options.ratePerSecond, seconds: options.seconds, maxBacklogSeconds: options.maxBacklogSeconds },
    async (index, dueAt): Promise<Arrival> => {
      const productIndex = index % products.length;
      const customer = shoppers.customers[index % shoppers.customers.length];
      const place = await http.call('POST', '/api/v1/orders', {
        token: customer,
        headers: { 'idempotency-key': randomUUID() },
        body: { items: [{ productOptionId: products[productIndex].optionId, quantity: 1 }] },
      });
      const placeMs = performance.now() - dueAt;
      if (place.status !== 201) return { productIndex, customer, place, placeMs, totalMs: placeMs };
      const pay = await http.call('POST', `/api/v1/orders/${place.body.orderId}/payment`, {
        token: customer,
        headers: { 'idempotency-key': randomUUID() },
        body: { cardToken: 'tok_visa' },
      });
      return { productIndex, customer, place, placeMs, pay, totalMs: performance.now() - dueAt };
    },
  );

  const check = await verifyOutcomes(http, gateway, shoppers.admin, run.results, products, unitsPerProduct);
  const placeOutcomes = countBy(run.results, (a) => (a.place.status === 201 ? 'PLACED' : `${a.place.status} ${a.place.body?.error?.code ?? ''}`.trim()));
  const paid = run.results.filter((a) => a.pay);
  const payOutcomes = countBy(paid, (a) => (a.pay!.status === 200 ? 'COMPLETED' : `${a.pay!.status} ${a.pay!.body?.error?.code ?? ''}`.trim()));
  const errors = run.results.length - (payOutcomes.COMPLETED ?? 0);
  const place = summarise(run.results.map((a) => a.placeMs));
  const pay = summarise(paid.map((a) => a.pay!.ms));
  return {
    ratePerSecond: options.ratePerSecond,
    offered: run.offered,
    sent: run.sent,
    saturated: run.saturated,
    completedPerSecond: round((payOutcomes.COMPLETED ?? 0) / run.seconds),
    seconds: round(run.seconds),
    errors,
    withinSlo: !run.saturated && errors === 0 && place.p99 < options.sloMs && pay.p99 < options.sloMs,
    exact: check.exact,
    check,
    place: { outcomes: placeOutcomes, latencyMs: place },
    pay: { outcomes: payOutcomes, latencyMs: pay },
    placeAndPayLatencyMs: summarise(run.results.map((a) => a.totalMs)),
  };
}

export type SteadyStep = Awaited<ReturnType<typeof steadyStep>>;

/**
 * Whatever the answers were, the books must agree with them: a placed order is charged
 * exactly once if it is COMPLETED and never otherwise, an order answered 200 to its
 * payment is COMPLETED, and each product's stock went down by exactly the orders that
 * still hold it (completed, or placed and waiting for payment).
 */
async function verifyOutcomes(http: Http, gateway: Http, admin: string, arrivals: Arrival[], products: { id: string }[], unitsPerProduct: number) {
  const placed = arrivals.filter((a) => a.place.status === 201);
  const orders = await inBatches(
    placed.map((a) => async () => {
      const orderId = a.place.body.orderId as string;
      const [order, charges] = await Promise.all([http.call('GET', `/api/v1/orders/${orderId}`, { token: admin }), liveCharges(gateway, orderId)]);
      return { arrival: a, status: order.body.status as string, charges };
    }),
    50,
  );
  const wrongCharges = orders.filter((o) => o.charges !== (o.status === 'COMPLETED' ? 1 : 0)).length;
  const paidButNotCompleted = orders.filter((o) => o.arrival.pay?.status === 200 && o.status !== 'COMPLETED').length;
  const holding = new Map<number, number>();
  for (const o of orders) {
    if (o.status === 'COMPLETED' || o.status === 'PENDING_PAYMENT') holding.set(o.arrival.productIndex, (holding.get(o.arrival.productIndex) ?? 0) + 1);
  }
  const stockMismatches = (
    await inBatches(
      products.map((p, i) => async () => {
        const available = (await http.call('GET', `/api/v1/products/${p.id}`)).body.options[0].availableQuantity as number;
        return available === unitsPerProduct - (holding.get(i) ?? 0) ? 0 : 1;
      }),
      20,
    )
  ).reduce((a: number, b: number) => a + b, 0);
  return {
    exact: wrongCharges === 0 && paidButNotCompleted === 0 && stockMismatches === 0,
    ordersChecked: orders.length,
    ordersWithWrongChargeCount: wrongCharges,
    ordersAnswered200ButNotCompleted: paidButNotCompleted,
    productsWithWrongStock: stockMismatches,
  };
}

/**
 * Climbs the ladder of rates, lowest first, and stops after the first step the platform
 * could not keep up with (higher rates would only saturate harder and take long to drain).
 */
export async function steady(
  http: Http,
  gateway: Http,
  shoppers: Shoppers,
  options: Omit<SteadyStepOptions, 'ratePerSecond'> & { rates: number[]; pauseSeconds: number },
) {
  const steps: SteadyStep[] = [];
  for (const ratePerSecond of [...options.rates].sort((a, b) => a - b)) {
    process.stderr.write(`steady: ${ratePerSecond} orders/s for ${options.seconds} s\n`);
    const step = await steadyStep(http, gateway, shoppers, { ...options, ratePerSecond });
    steps.push(step);
    process.stderr.write(`  place p99 ${step.place.latencyMs.p99} ms, pay p99 ${step.pay.latencyMs.p99} ms, errors ${step.errors}, exact ${step.exact}${step.saturated ? ', SATURATED' : ''}\n`);
    if (step.saturated) break;
    await new Promise((resolve) => setTimeout(resolve, options.pauseSeconds * 1000));
  }
  const within = steps.filter((s) => s.withinSlo).map((s) => s.ratePerSecond);
  return {
    parameters: { rates: options.rates, seconds: options.seconds, products: options.products, customers: shoppers.customers.length, sloMs: options.sloMs, maxBacklogSeconds: options.maxBacklogSeconds },
    exact: steps.every((s) => s.exact),
    highestRateWithinSlo: within.length ? Math.max(...within) : null,
    steps,
  };
}

export const latencyLine = (l: LatencySummary) => `${l.p50} / ${l.p95} / ${l.p99}`;
const round = (n: number) => Math.round(n * 10) / 10;
