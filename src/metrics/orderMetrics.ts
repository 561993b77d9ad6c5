import type { Knex } from 'knex';
import { Gauge } from 'prom-client';
import { createOrderRepository } from '../db/repositories/orders';
import { metricsRegistry } from './registry';

let orders: ReturnType<typeof createOrderRepository> | undefined;

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
    // PostgreSQL down, or the pool exhausted in a rush, must not take the rest of the
    // scrape with it (Prometheus gives up on a target after 10 s): NaN says "unknown".
    const unknown = new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), COUNT_WITHIN_MS).unref());
    this.set(await Promise.race([orders.countNeedingAttention().catch(() => Number.NaN), unknown]));
  },
});

/** Counts orders needing attention in `db` at each scrape of this process's metrics. */
export function observeOrdersNeedingAttention(db: Knex): void {
  orders = createOrderRepository(db);
}
