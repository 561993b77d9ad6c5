import { createStockActivities } from '../../src/activities/stock';
import { observeOrderGauges } from '../../src/metrics/orderMetrics';
import { metricsRegistry } from '../../src/metrics/registry';
import { serveMetrics } from '../../src/metrics/server';
import { signUpCustomer } from '../support/factories';
import { productWithStock } from '../support/catalog';
import { eventually, ledgerOf, payOrder, placeOrder } from '../support/orders';
import { familyNames, sampleValue, scrape, type Scrape } from '../support/prometheus';
import { stackWithWorkerProcesses } from '../support/workerProcess';

/**
 * A worker process's /metrics (the Temporal SDK's own and the sagas'), scraped over HTTP
 * around three real sagas: one completed, one declined, one compensated after its refund
 * failed a round. The worker runs as `npm start -- worker` does; the API, Temporal,
 * PostgreSQL and the gateway simulator are the suite's.
 */
describe('worker metrics', () => {
  const harness = stackWithWorkerProcesses({ resultTimeoutMs: 90_000 });
  let workerMetricsUrl: string;
  let apiMetrics: Awaited<ReturnType<typeof serveMetrics>>;

  beforeAll(async () => {
    workerMetricsUrl = (await harness.launchWorker()).metricsUrl;
    observeOrderGauges(harness.stack.db);
    apiMetrics = await serveMetrics(metricsRegistry, 0, '127.0.0.1');
  });
  afterAll(() => apiMetrics.close());

  const moved = (before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}) =>
    sampleValue(after, name, labels) - sampleValue(before, name, labels);

  it('counts sagas by outcome, charges, refunds and failed compensation rounds, beside the SDK’s task and slot metrics', async () => {
    const { stack } = harness;
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [10]);
    const place = async () => {
      const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
      expect(placed.status).toBe(201);
      return placed.body.orderId as string;
    };
    const [paid, declined, compensated] = [await place(), await place(), await place()];
    const before = await scrape(workerMetricsUrl);
    const attentionBefore = sampleValue(await scrape(apiMetrics.url), 'order_platform_orders_needing_attention');

    expect((await payOrder(stack, customer, paid, 'tok_visa')).status).toBe(200);
    expect((await payOrder(stack, customer, declined, 'tok_decline')).status).toBe(402);
    // The sweeper's race: the hold is released while the payment is on its way, so the
    // saga's stock confirmation is refused after the charge, and the charge is refunded.
    // The card's first 3 refunds fail: one whole round, which raises NeedsAttention.
    await createStockActivities({ db: stack.db }).releaseStock(compensated);
    const compensating = payOrder(stack, customer, compensated, 'tok_refund_error_3');
    const attention = async () => sampleValue(await scrape(apiMetrics.url), 'order_platform_orders_needing_attention');
    await eventually(async () => ((await attention()) === attentionBefore + 1 ? true : undefined), 60_000, 'the attention gauge to count the order whose refund keeps failing');
    expect((await compensating).status).toBe(409);
    expect(await ledgerOf(stack.db, compensated)).toEqual({ charges: 1, refunds: 1, net: 0 });

    const after = await eventually(async () => {
      const scraped = await scrape(workerMetricsUrl);
      return moved(before, scraped, 'order_platform_sagas_ended_total') === 3 ? scraped : undefined;
    }, 30_000, 'three sagas ended in the worker metrics');
    expect(moved(before, after, 'order_platform_sagas_started_total')).toBe(3);
    for (const outcome of ['completed', 'declined', 'compensated']) {
      expect(moved(before, after, 'order_platform_sagas_ended_total', { outcome })).toBe(1);
    }
    expect(moved(before, after, 'order_platform_charges_total', { outcome: 'approved' })).toBe(2);
    expect(moved(before, after, 'order_platform_charges_total', { outcome: 'declined' })).toBe(1);
    expect(moved(before, after, 'order_platform_refunds_total')).toBe(1);
    expect(moved(before, after, 'order_platform_compensation_rounds_failed_total', { compensation: 'refundPayment' })).toBe(1);
    // Cleared once the refund went through.
    expect(await attention()).toBe(attentionBefore);

    // The SDK's own, labelled by workflow and activity type.
    const saga = { workflow_type: 'completeOrder', task_queue: stack.taskQueue };
    expect(moved(before, after, 'temporal_workflow_completed_total', saga)).toBe(2);
    expect(moved(before, after, 'temporal_workflow_failed_total', saga)).toBe(1);
    expect(moved(before, after, 'temporal_activity_execution_latency_seconds_count', { activity_type: 'chargePayment' })).toBe(3);
    // Three failed attempts (one round), then the refund that went through.
    expect(moved(before, after, 'temporal_activity_execution_failed_total', { activity_type: 'refundPayments' })).toBe(3);
    expect(moved(before, after, 'temporal_activity_execution_latency_seconds_count', { activity_type: 'refundPayments' })).toBe(4);
    expect(familyNames(after)).toEqual(
      expect.arrayContaining([
        'temporal_workflow_task_schedule_to_start_latency_seconds',
        'temporal_activity_schedule_to_start_latency_seconds',
        'temporal_workflow_task_execution_latency_seconds',
        'temporal_worker_task_slots_available',
        'temporal_worker_task_slots_used',
        'temporal_sticky_cache_size',
      ]),
    );
  });
});
