import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * This process's metrics, in Prometheus's text format. One registry per process: the
 * metrics are module-level (the prom-client idiom), so every part of the process that
 * records one records it here, and a scrape sees them all with the process's own
 * (CPU, memory, event-loop lag, handles).
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });
