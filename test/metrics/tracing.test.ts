import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkoutWithGeneratedClient } from '../../clients/typescript/checkout';
import { createDb } from '../../src/db/knex';
import { productWithStock } from '../support/catalog';
import { testEnvironment } from '../support/environment';
import { eventually } from '../support/orders';
import { freePorts } from '../support/ports';
import { killWorker, launchRole } from '../support/workerProcess';

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP (JSON) trace receiver that keeps every span it is sent, as a collector would receive them. */
async function startTraceReceiver() {
  const spans: ReceivedSpan[] = [];
  const value = (v: Record<string, unknown>) => v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const message = JSON.parse(body) as {
        resourceSpans: { resource: { attributes: { key: string; value: Record<string, unknown> }[] }; scopeSpans: { spans: (Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes?: { key: string; value: Record<string, unknown> }[] })[] }[] }[];
      };
      for (const { resource, scopeSpans } of message.resourceSpans) {
        const service = String(value(resource.attributes.find((a) => a.key === 'service.name')!.value));
        for (const scope of scopeSpans) {
          for (const span of scope.spans) {
            const attributes = Object.fromEntries((span.attributes ?? []).map((a) => [a.key, value(a.value)]));
            spans.push({ traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId || undefined, name: span.name, service, attributes });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * OpenTelemetry across the platform: the API and the worker run as processes of their
 * own with only the standard `OTEL_*` variables set, exporting over OTLP/HTTP to a
 * receiver in this test. One payment yields one trace, connected from the HTTP request
 * through the Temporal update, the saga workflow and its activities to the gateway call.
 */
describe('tracing', () => {
  let receiver: Awaited<ReturnType<typeof startTraceReceiver>>;
  const children: ChildProcess[] = [];
  let apiUrl: string;

  beforeAll(async () => {
    receiver = await startTraceReceiver();
    const taskQueue = `tracing-${randomUUID()}`;
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200', TEMPORAL_TASK_QUEUE: taskQueue, AUTH_ADDRESS_LIMIT_PER_MINUTE: '0' };
    children.push((await launchRole('worker', { ...otel, OTEL_SERVICE_NAME: 'order-platform-worker' })).child);
    const [port] = await freePorts(1);
    children.push((await launchRole('api', { ...otel, PORT: String(port) })).child);
    apiUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    for (const child of children) killWorker(child);
    await receiver.close();
  });

  it('follows one payment from the HTTP request through the saga and its activities to the gateway, in one connected trace', async () => {
    const db = createDb({ url: testEnvironment().databaseUrl, poolMax: 2 });
    let checkout: Awaited<ReturnType<typeof checkoutWithGeneratedClient>>;
    try {
      const [optionId] = await productWithStock(db, [1]);
      const { product_id: productId } = await db('product_options').where({ id: optionId }).first();
      checkout = await checkoutWithGeneratedClient(apiUrl, { productId, cardToken: 'tok_visa' });
    } finally {
      await db.destroy();
    }
    expect(checkout.order.status).toBe('COMPLETED');

    const gatewayPort = new URL(testEnvironment().paymentGatewayUrl).port;
    const trace = await eventually(async () => {
      const request = receiver.spans.find((s) => s.name === 'POST /api/v1/orders/:id/payment' && s.attributes['http.route'] === '/api/v1/orders/:id/payment' && !s.parentSpanId);
      if (!request) return undefined;
      const spans = receiver.spans.filter((s) => s.traceId === request.traceId);
      const gatewayCall = spans.find((s) => s.service === 'order-platform-worker' && String(s.attributes['url.full'] ?? '').includes(`:${gatewayPort}/`));
      const ids = new Set(spans.map((s) => s.spanId));
      const connected = spans.every((s) => s === request || (s.parentSpanId !== undefined && ids.has(s.parentSpanId)));
      return gatewayCall && connected ? { request, spans } : undefined;
    }, 30_000, 'the payment trace, connected, down to the gateway call');

    const names = trace.spans.map((s) => s.name);
    expect(new Set(trace.spans.map((s) => s.service))).toEqual(new Set(['order-platform-api', 'order-platform-worker']));
    // The request, the update it sends to the order, the saga that update starts, the charge and its call.
    expect(names).toEqual(
      expect.arrayContaining(['StartWorkflowUpdate:pay', 'HandleUpdate:pay', 'StartChildWorkflow:completeOrder', 'RunWorkflow:completeOrder', 'RunActivity:chargePayment', 'RunActivity:confirmStock']),
    );
    const parentOf = (span: ReceivedSpan) => trace.spans.find((s) => s.spanId === span.parentSpanId);
    const gatewayCall = trace.spans.find((s) => String(s.attributes['url.full'] ?? '').includes(`:${gatewayPort}/v1/payments`))!;
    expect(parentOf(gatewayCall)?.name).toBe('RunActivity:chargePayment');
    // The API's own PostgreSQL reads are in it too.
    expect(trace.spans.some((s) => s.attributes['db.system'] === 'postgresql')).toBe(true);
  });
});
