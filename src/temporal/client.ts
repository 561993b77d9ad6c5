import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { activeTracing } from '../telemetry/tracing';

/** With tracing on, workflow starts, signals and updates carry the caller's trace into the workflow. */
export async function connectClient(options: { address: string; namespace: string }) {
  const connection = await Connection.connect({ address: options.address });
  const interceptors = activeTracing() ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
  return { connection, client: new Client({ connection, namespace: options.namespace, interceptors }) };
}
