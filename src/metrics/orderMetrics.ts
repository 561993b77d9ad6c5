import type { Knex } from 'knex';
import { Gauge } from 'prom-client';
import { createOrderDeliveryRepository } from '../db/repositories/orderDeliveries';
import { createOrderRepository } from '../db/repositories/orders';
import { metricsRegistry } from './registry';

let orders: ReturnType<typeof createOrderRepository> | undefined;
let deliveries: ReturnType<typeof createOrderDeliveryRepository> | undefined;

/** How long a scrape waits for the count before it answers without it. */
const COUNT_WITHIN_MS = 2_000;

/**
 * Orders whose compensation keeps failing (`NeedsAttention`), counted in PostgreSQL at each
 * scrape: the flag is the order row's, so the figure is exact the moment it is read, and
 * every API replica reports the same one (graph and alert on `max`, not `sum`).
 */
new Gauge({
  name: 'order_platform_orders_needing_attention',
  help: 'Orders flagged NeedsAttention right now: a compensation keeps failing and ops must look (read from PostgreSQL at each scrape)',
  registers: [metricsRegistry],
  async collect() {
    if (!orders) return;
    this.set(await withinScrape(orders.countNeedingAttention()));
  },
});

/**
 * PostgreSQL down, or the pool exhausted in a rush, must not take the rest of the scrape
 * with it (Prometheus gives up on a target after 10 s): NaN says "unknown".
 */
function withinScrape(count: Promise<number>): Promise<number> {
  const unknown = new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), COUNT_WITHIN_MS).unref());
  return Promise.race([count.catch(() => Number.NaN), unknown]);
}

/** One read of the outbox per scrape, shared by its two gauges. */
let waitingRead: { at: number; value: Promise<{ count: number; oldestAgeSeconds: number }> } | undefined;
function waitingDeliveries() {
  if (!waitingRead || Date.now() - waitingRead.at > 1_000) waitingRead = { at: Date.now(), value: deliveries!.waiting() };
  return waitingRead.value;
}

new Gauge({
  name: 'order_platform_order_deliveries_waiting',
  help: 'Completed orders not yet delivered to the data platform (the order_deliveries outbox, read from PostgreSQL at each scrape)',
  registers: [metricsRegistry],
  async collect() {
    if (!deliveries) return;
    this.set(await withinScrape(waitingDeliveries().then((w) => w.count)));
  },
});

new Gauge({
  name: 'order_platform_order_deliveries_oldest_waiting_seconds',
  help: 'How long the oldest undelivered completed order has waited for the data platform; 0 when none waits',
  registers: [metricsRegistry],
  async collect() {
    if (!deliveries) return;
    this.set(await withinScrape(waitingDeliveries().then((w) => w.oldestAgeSeconds)));
  },
});

/** Counts orders needing attention and deliveries waiting in `db` at each scrape of this process's metrics. */
export function observeOrderGauges(db: Knex): void {
  orders = createOrderRepository(db);
  deliveries = createOrderDeliveryRepository(db);
}
