import { randomUUID } from 'node:crypto';
import { observeDatabasePool } from '../../src/metrics/apiMetrics';
import { metricsRegistry } from '../../src/metrics/registry';
import { serveMetrics } from '../../src/metrics/server';
import { signUpCustomer } from '../support/factories';
import { productWithStock } from '../support/catalog';
import { payOrder, placeOrder } from '../support/orders';
import { familyNames, sampleValue, scrape, type Scrape } from '../support/prometheus';
import { useTestStack } from '../support/stack';

/** The API's /metrics, scraped over HTTP around a real checkout (API, Temporal, PostgreSQL, the gateway simulator). */
describe('API metrics', () => {
  const stack = useTestStack();
  let metrics: Awaited<ReturnType<typeof serveMetrics>>;

  beforeAll(async () => {
    observeDatabasePool(stack.db, 'api');
    metrics = await serveMetrics(metricsRegistry, 0, '127.0.0.1');
  });
  afterAll(() => metrics.close());

  const moved = (before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) =>
    sampleValue(after, name, labels) - sampleValue(before, name, labels);

  it('counts a checkout: requests and durations by route and status, refusals by code, replays, and the pool', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [2]);
    const before = await scrape(metrics.url);

    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }] });
    expect(placed.status).toBe(201);
    const payKey = randomUUID();
    expect((await payOrder(stack, customer, placed.body.orderId, 'tok_visa', payKey)).status).toBe(200);
    const replayed = await payOrder(stack, customer, placed.body.orderId, 'tok_visa', payKey);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    const soldOut = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    expect(soldOut.status).toBe(409);
    expect(soldOut.body.error.code).toBe('OUT_OF_STOCK');
    const after = await scrape(metrics.url);

    const orders = { route: '/api/v1/orders', method: 'POST' };
    const pay = { route: '/api/v1/orders/:id/payment', method: 'POST' };
    expect(moved(before, after, 'order_platform_http_requests_total', { ...orders, status: '201' })).toBe(1);
    expect(moved(before, after, 'order_platform_http_requests_total', { ...orders, status: '409' })).toBe(1);
    expect(moved(before, after, 'order_platform_http_requests_total', { ...pay, status: '200' })).toBe(2);
    expect(moved(before, after, 'order_platform_http_request_duration_seconds_count', { ...pay, status: '200' })).toBe(2);
    expect(moved(before, after, 'order_platform_refusals_total', { code: 'OUT_OF_STOCK', route: '/api/v1/orders' })).toBe(1);
    expect(moved(before, after, 'order_platform_idempotent_replays_total', { route: pay.route })).toBe(1);
    // Nothing is still waiting on a workflow once every answer is in.
    expect(sampleValue(after, 'order_platform_workflow_waits_in_flight')).toBe(0);
    expect(sampleValue(after, 'order_platform_db_pool_max', { pool: 'api' })).toBeGreaterThan(0);
    expect(sampleValue(after, 'order_platform_db_pool_waiting', { pool: 'api' })).toBe(0);
    // The process's own, from the same endpoint.
    expect(familyNames(after)).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes']));
  });

  it('labels unmatched paths as one route, so raw paths never become label values', async () => {
    const before = await scrape(metrics.url);
    for (let i = 0; i < 3; i++) await fetch(`${stack.baseUrl}/api/v1/no-such-${randomUUID()}`);
    const after = await scrape(metrics.url);
    expect(moved(before, after, 'order_platform_http_requests_total', { route: 'unmatched', status: '404' })).toBe(3);
    expect(moved(before, after, 'order_platform_refusals_total', { route: 'unmatched', code: 'NOT_FOUND' })).toBe(3);
    const routes = after.samples.filter((s) => s.name === 'order_platform_http_requests_total').map((s) => s.labels.route);
    expect(routes.filter((route) => route.includes('no-such'))).toEqual([]);
  });

  it('answers 404 for anything but GET /metrics', async () => {
    expect((await fetch(metrics.url.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(metrics.url, { method: 'POST' })).status).toBe(404);
  });
});
