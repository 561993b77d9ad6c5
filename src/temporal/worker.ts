import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import type { OrderLimits } from '../domain/orderLimits';
import type { DataPlatform } from '../dataPlatform/client';
import type { DeliveryBackoff } from '../db/repositories/orderDeliveries';
import type { PaymentGateway } from '../gateway/paymentGateway';
import { createActivities } from '../activities';
import { databaseRefusals } from '../activities/databaseRefusals';
import type { StockLocking } from '../activities/stock';
import type { Logger } from '../logging/logger';
import { toTemporalLogger } from '../logging/temporalLogger';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker';
import { freePort } from '../platform/ports';
import { activeTracing } from '../telemetry/tracing';
import { connectClient } from './client';

let runtimeInstalled = false;

/**
 * Sends the SDK's logs (with workflow and activity ids) to our logger and, given
 * `metrics`, serves the SDK's metrics and the sagas' (src/workflows/sagaMetrics.ts) in
 * Prometheus text at `http://host:port/metrics`; once per process, before any worker
 * connects. The exporter is the SDK core's own, so it cannot tell us a port the OS picked:
 * port 0 is a free port chosen here. Returns the metrics URL.
 */
export async function installTemporalRuntime(logger: Logger, metrics?: { host: string; port: number }): Promise<string | undefined> {
  if (runtimeInstalled) return undefined;
  const port = metrics && (metrics.port || (await freePort(metrics.host)));
  Runtime.install({
    logger: toTemporalLogger(logger.child({ component: 'temporal' })),
    // The process owns shutdown order (API, worker, Temporal, PostgreSQL); the SDK must
    // not react to Ctrl-C on its own.
    shutdownSignals: [],
    // Prometheus's conventions, as the API's metrics follow them: counters end in
    // `_total`, durations are seconds and say so in their names.
    ...(metrics && {
      telemetryOptions: {
        metrics: { prometheus: { bindAddress: `${metrics.host}:${port}`, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true } },
      },
    }),
  });
  runtimeInstalled = true;
  return metrics && `http://${metrics.host === '0.0.0.0' ? '127.0.0.1' : metrics.host}:${port}/metrics`;
}

export const workflowsPath = require.resolve('../workflows');

export interface WorkerDeps {
  address: string;
  namespace: string;
  taskQueue: string;
  db: Knex;
  gateway: PaymentGateway;
  dataPlatform: DataPlatform;
  deliveryBackoff: DeliveryBackoff;
  stockLocking?: StockLocking;
  orderLimits?: OrderLimits;
  /** Replaces activities by name (tests inject failures into one step this way). */
  activityOverrides?: Record<string, (...args: any[]) => Promise<unknown>>;
  /** A pre-built bundle (tests build it once per run); otherwise bundled from source. */
  workflowBundlePath?: string;
  logger?: Logger;
}

/**
 * Bundles the workflows ourselves rather than through Worker.create, so webpack's
 * multi-line build report stays out of the start-up output (only its warnings and errors
 * reach the log).
 */
async function bundleWorkflows(logger?: Logger): Promise<WorkerOptions['workflowBundle']> {
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    workflowInterceptorModules: activeTracing() ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : [],
    logger: {
      log: quiet,
      trace: quiet,
      debug: quiet,
      info: quiet,
      warn: (message, meta) => logger?.warn(meta ?? {}, message),
      error: (message, meta) => logger?.error(meta ?? {}, message),
    },
  });
  return { code };
}

/**
 * The activity interceptors, and with tracing on the SDK's OpenTelemetry ones: activities
 * run in spans of the workflow's trace, and the workflows' own spans (made inside the
 * sandbox) leave through a sink into this process's span processor.
 */
function tracingOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracing = activeTracing();
  if (!tracing) return { interceptors: { activity: [databaseRefusals] } };
  return {
    interceptors: {
      activity: [databaseRefusals, (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}

/** The settings a worker really runs with (SDK defaults filled in), for logs and benchmark results. */
export function workerSettings(worker: Worker) {
  const { tuner, maxCachedWorkflows, workflowTaskPollerBehavior, activityTaskPollerBehavior } = worker.options;
  const slots = (supplier: unknown) => (supplier as { type: string; numSlots?: number }).numSlots ?? (supplier as { type: string }).type;
  return {
    workflowTaskSlots: slots(tuner.workflowTaskSlotSupplier),
    activityTaskSlots: slots(tuner.activityTaskSlotSupplier),
    localActivitySlots: slots(tuner.localActivityTaskSlotSupplier),
    maxCachedWorkflows,
    workflowTaskPollers: workflowTaskPollerBehavior,
    activityTaskPollers: activityTaskPollerBehavior,
  };
}

/**
 * The worker, and its connections to close once it has stopped: its own, and the
 * client's its activities use to ask about other workflows (the sweeper).
 */
export async function createWorker(deps: WorkerDeps): Promise<{ worker: Worker; connection: { close(): Promise<void> } }> {
  const native = await NativeConnection.connect({ address: deps.address });
  const temporal = await connectClient({ address: deps.address, namespace: deps.namespace });
  const connection = { close: () => Promise.all([native.close(), temporal.connection.close()]).then(() => undefined) };
  try {
    const workflowBundle = deps.workflowBundlePath ? { codePath: deps.workflowBundlePath } : await bundleWorkflows(deps.logger);
    const worker = await Worker.create({
      connection: native,
      namespace: deps.namespace,
      taskQueue: deps.taskQueue,
      activities: { ...createActivities({ db: deps.db, gateway: deps.gateway, dataPlatform: deps.dataPlatform, deliveryBackoff: deps.deliveryBackoff, client: temporal.client, stockLocking: deps.stockLocking, orderLimits: deps.orderLimits }), ...deps.activityOverrides },
      workflowBundle,
      ...tracingOptions(),
    });
    return { worker, connection };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
