import { randomUUID } from 'node:crypto';
import { request } from '../support/http';
import { errorFields, gatewayError, gatewayKit, type GatewayKit } from './kit';

describe('payment gateway: cancel', () => {
  let kit: GatewayKit;
  beforeAll(() => {
    kit = gatewayKit();
  });
  afterAll(() => kit.close());

  /** A fresh order charged `amount` with `cardToken`; returns its ids. */
  async function paidOrder(amount: number, cardToken = 'tok_visa') {
    const orderId = randomUUID();
    const result = await kit.gateway.charge({ idempotencyKey: randomUUID(), orderId, amount, cardToken });
    if (result.outcome !== 'APPROVED') throw new Error(`not approved: ${JSON.stringify(result)}`);
    return { orderId, paymentKey: result.paymentKey };
  }

  it('cancels with a full REFUND, so the order nets to zero', async () => {
    const { orderId, paymentKey } = await paidOrder(15_000);

    const canceled = await kit.gateway.cancel({ idempotencyKey: randomUUID(), paymentKey, reason: 'customer changed their mind' });

    expect(canceled).toEqual({ paymentKey, status: 'CANCELED', canceledAt: expect.any(String) });
    expect(await kit.entries(orderId)).toEqual([
      { paymentKey, kind: 'CHARGE', amount: 15_000 },
      { paymentKey, kind: 'REFUND', amount: 15_000 },
    ]);
    expect(await kit.net(orderId)).toBe(0);
    expect(await kit.gateway.listPayments(orderId)).toEqual([
      { paymentKey, orderId, amount: 15_000, status: 'CANCELED', approvedAt: expect.any(String), canceledAt: canceled.canceledAt },
    ]);
  });

  it('refunds once when cancelled twice under different keys, answering both with the cancelled state', async () => {
    const { orderId, paymentKey } = await paidOrder(2000);

    const first = await kit.gateway.cancel({ idempotencyKey: randomUUID(), paymentKey, reason: 'first' });
    const second = await kit.gateway.cancel({ idempotencyKey: randomUUID(), paymentKey, reason: 'second' });

    expect(second).toEqual(first);
    expect((await kit.entries(orderId)).filter((e) => e.kind === 'REFUND')).toHaveLength(1);
    expect(await kit.net(orderId)).toBe(0);
  });

  it('refunds once when five cancels under different keys race', async () => {
    const { orderId, paymentKey } = await paidOrder(3000);

    const results = await Promise.all(
      Array.from({ length: 5 }, () => kit.gateway.cancel({ idempotencyKey: randomUUID(), paymentKey })),
    );

    expect(new Set(results.map((r) => r.canceledAt)).size).toBe(1);
    expect((await kit.entries(orderId)).filter((e) => e.kind === 'REFUND')).toHaveLength(1);
    expect(await kit.net(orderId)).toBe(0);
  });

  it('replays a cancel under the same key with the Idempotent-Replayed header', async () => {
    const { paymentKey } = await paidOrder(100);
    const key = randomUUID();
    const cancel = () =>
      request(kit.url, 'POST', `/v1/payments/${paymentKey}/cancel`, { body: { reason: 'r' }, headers: { 'Idempotency-Key': key } });

    const first = await cancel();
    const again = await cancel();

    expect(first.status).toBe(200);
    expect(again).toMatchObject({ status: 200, body: first.body });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('tok_refund_error_3: three cancels fail retryably and nothing moves, the fourth refunds', async () => {
    const { orderId, paymentKey } = await paidOrder(9900, 'tok_refund_error_3');
    // The same key throughout, as a retried Temporal activity would send it.
    const input = { idempotencyKey: randomUUID(), paymentKey, reason: 'order failed' };

    const failures = [];
    for (let i = 0; i < 3; i++) failures.push(errorFields(await gatewayError(kit.gateway.cancel(input))));
    expect(await kit.net(orderId)).toBe(9900);
    const fourth = await kit.gateway.cancel(input);

    expect(failures).toEqual(Array(3).fill({ status: 500, code: 'GATEWAY_ERROR', retryable: true }));
    expect(fourth).toEqual({ paymentKey, status: 'CANCELED', canceledAt: expect.any(String) });
    expect(await kit.entries(orderId)).toEqual([
      { paymentKey, kind: 'CHARGE', amount: 9900 },
      { paymentKey, kind: 'REFUND', amount: 9900 },
    ]);
    expect(await kit.net(orderId)).toBe(0);
    const [row] = await kit.db('payment_gateway.payments').where({ payment_key: paymentKey });
    expect(row.refund_failures_remaining).toBe(0);
  });

  it('answers an unknown payment with 404 PAYMENT_NOT_FOUND, not worth a retry', async () => {
    const missing = await gatewayError(kit.gateway.cancel({ idempotencyKey: randomUUID(), paymentKey: randomUUID() }));

    expect(errorFields(missing)).toEqual({ status: 404, code: 'PAYMENT_NOT_FOUND', retryable: false });
  });

  it('refuses a cancel key reused for another payment with 422', async () => {
    const a = await paidOrder(100);
    const b = await paidOrder(100);
    const idempotencyKey = randomUUID();
    await kit.gateway.cancel({ idempotencyKey, paymentKey: a.paymentKey });

    const reused = await gatewayError(kit.gateway.cancel({ idempotencyKey, paymentKey: b.paymentKey }));

    expect(errorFields(reused)).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
    expect(await kit.net(b.orderId)).toBe(100);
  });

  it('answers a malformed payment key with 400', async () => {
    const bad = await gatewayError(kit.gateway.cancel({ idempotencyKey: randomUUID(), paymentKey: 'not-a-uuid' }));

    expect(errorFields(bad)).toEqual({ status: 400, code: 'VALIDATION_FAILED', retryable: false });
  });
});
