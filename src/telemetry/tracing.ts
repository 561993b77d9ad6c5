import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface Tracing {
  /** Where every span of this process goes, the workflows' included (their sink feeds it). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends what is still buffered and stops. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/** The tracing this process started, if any: the Temporal client and worker add their interceptors only then. */
export const activeTracing = (): Tracing | undefined => active;

/**
 * Tracing is off unless an OTLP endpoint is set, through the standard variables
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, and
 * `OTEL_SDK_DISABLED=true` turns it off again).
 */
export function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts OpenTelemetry for this process: spans of the HTTP server and client (the API's
 * requests, named by route template in ./httpSpans, and fetch to the payment gateway)
 * and PostgreSQL queries, sent
 * over OTLP/HTTP as the `OTEL_*` variables say (endpoint, headers, service name). It
 * must run before those modules are loaded, since the instrumentations patch them as
 * they load: src/cli/start.ts imports ./register first of all. The Temporal SDK's
 * interceptors (client, workflow, activity) join the trace across Temporal.
 */
export function startTracing(defaultServiceName: string): Tracing {
  if (active) return active;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME ?? defaultServiceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter());
  const sdk = new NodeSDK({
    resource,
    spanProcessors: [spanProcessor],
    instrumentations: [
      // Probes and scrapes are not traces anyone reads.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz|metrics)\b/.test(request.url ?? '') }),
      new PgInstrumentation(),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  active = { spanProcessor, resource, shutdown: () => sdk.shutdown() };
  return active;
}
