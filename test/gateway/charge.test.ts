import { randomUUID } from 'node:crypto';
import { request } from '../support/http';
import { errorFields, gatewayError, gatewayKit, tally, type GatewayKit } from './kit';

/**
 * Charges against the simulator process globalSetup started, through the platform's
 * client where it fits and raw HTTP where the wire matters (headers, replays, 400s).
 * Every test uses fresh order ids and keys, so none sees another's rows.
 */
describe('payment gateway: charge', () => {
  let kit: GatewayKit;
  beforeAll(() => {
    kit = gatewayKit();
  });
  afterAll(() => kit.close());

  /** A raw charge; a null key sends no Idempotency-Key header. */
  const charge = (body: Record<string, unknown>, key: string | null = randomUUID()) =>
    request(kit.url, 'POST', '/v1/payments', { body, headers: key === null ? {} : { 'Idempotency-Key': key } });

  it('approves a charge and writes one CHARGE to the ledger', async () => {
    const orderId = randomUUID();

    const result = await kit.gateway.charge({ idempotencyKey: randomUUID(), orderId, amount: 12_500, cardToken: 'tok_visa' });

    if (result.outcome !== 'APPROVED') throw new Error(`not approved: ${JSON.stringify(result)}`);
    expect(new Date(result.approvedAt).toISOString()).toBe(result.approvedAt);
    expect(await kit.entries(orderId)).toEqual([{ paymentKey: result.paymentKey, kind: 'CHARGE', amount: 12_500 }]);
    expect(await kit.gateway.listPayments(orderId)).toEqual([
      { paymentKey: result.paymentKey, orderId, amount: 12_500, status: 'DONE', approvedAt: result.approvedAt, canceledAt: null },
    ]);
  });

  it('replays the first answer for a repeated key, charging once', async () => {
    const orderId = randomUUID();
    const key = randomUUID();

    const first = await charge({ orderId, amount: 5000, cardToken: 'tok_visa' }, key);
    // Same request, other key order: the hash is over the parsed body, not its bytes.
    const second = await charge({ cardToken: 'tok_visa', amount: 5000, orderId }, key);

    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      paymentKey: expect.any(String),
      orderId,
      amount: 5000,
      status: 'DONE',
      approvedAt: expect.any(String),
    });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await kit.entries(orderId)).toEqual([{ paymentKey: first.body.paymentKey, kind: 'CHARGE', amount: 5000 }]);
  });

  it('charges once when ten requests with one key arrive together', async () => {
    const orderId = randomUUID();
    const key = randomUUID();
    const body = { orderId, amount: 700, cardToken: 'tok_slow_500' };

    const answers = await Promise.all(Array.from({ length: 10 }, () => charge(body, key)));

    const kinds = answers.map((a) =>
      a.status === 200 ? (a.headers.get('idempotent-replayed') === 'true' ? 'REPLAYED' : 'CHARGED') : `${a.status} ${a.body.error.code}`,
    );
    const counts = tally(kinds);
    expect(counts.CHARGED).toBe(1);
    expect((counts.REPLAYED ?? 0) + (counts['409 REQUEST_IN_PROGRESS'] ?? 0)).toBe(9);
    const charged = answers.find((a) => a.status === 200)!;
    for (const a of answers.filter((x) => x.status === 200)) expect(a.body).toEqual(charged.body);
    expect(await kit.entries(orderId)).toEqual([{ paymentKey: charged.body.paymentKey, kind: 'CHARGE', amount: 700 }]);
  });

  it('reports a key still being processed as a retryable REQUEST_IN_PROGRESS', async () => {
    const input = { idempotencyKey: randomUUID(), orderId: randomUUID(), amount: 1, cardToken: 'tok_slow_1000' };

    const [a, b] = await Promise.allSettled([kit.gateway.charge(input), kit.gateway.charge(input)]);

    const approved = [a, b].filter((o) => o.status === 'fulfilled');
    const busy = [a, b].flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
    expect(approved).toEqual([{ status: 'fulfilled', value: expect.objectContaining({ outcome: 'APPROVED' }) }]);
    expect(busy.map(errorFields)).toEqual([{ status: 409, code: 'REQUEST_IN_PROGRESS', retryable: true }]);
    expect(await kit.net(input.orderId)).toBe(1);
  });

  it('refuses a key reused for another request with 422, charging only the first', async () => {
    const orderId = randomUUID();
    const idempotencyKey = randomUUID();
    const first = await kit.gateway.charge({ idempotencyKey, orderId, amount: 1000, cardToken: 'tok_visa' });

    const reused = await gatewayError(kit.gateway.charge({ idempotencyKey, orderId, amount: 2000, cardToken: 'tok_visa' }));

    expect(errorFields(reused)).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED', retryable: false });
    expect(first.outcome).toBe('APPROVED');
    expect(await kit.entries(orderId)).toEqual([{ paymentKey: expect.any(String), kind: 'CHARGE', amount: 1000 }]);
  });

  it('returns a decline as a result, stores it and replays it', async () => {
    const orderId = randomUUID();
    const idempotencyKey = randomUUID();

    const declined = await kit.gateway.charge({ idempotencyKey, orderId, amount: 900, cardToken: 'tok_decline' });
    const replay = await charge({ orderId, amount: 900, cardToken: 'tok_decline' }, idempotencyKey);

    expect(declined).toEqual({ outcome: 'DECLINED', code: 'CARD_DECLINED', message: 'the card was declined' });
    expect(replay.status).toBe(402);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual({ error: { code: 'CARD_DECLINED', message: 'the card was declined', details: null } });
    expect(await kit.entries(orderId)).toEqual([]);
    expect(await kit.gateway.listPayments(orderId)).toEqual([]);
  });

  it('answers tok_error with a retryable 500 every time, charging nothing and storing nothing', async () => {
    const orderId = randomUUID();
    const idempotencyKey = randomUUID();
    const input = { idempotencyKey, orderId, amount: 300, cardToken: 'tok_error' };

    const first = await gatewayError(kit.gateway.charge(input));
    const again = await gatewayError(kit.gateway.charge(input));

    expect(errorFields(first)).toEqual({ status: 500, code: 'GATEWAY_ERROR', retryable: true });
    expect(errorFields(again)).toEqual({ status: 500, code: 'GATEWAY_ERROR', retryable: true });
    expect(await kit.entries(orderId)).toEqual([]);
    expect(await kit.db('payment_gateway.idempotency_keys').where({ key: idempotencyKey }).count('* as n')).toEqual([{ n: '0' }]);
  });

  it('tok_drop: commits, cuts the connection, and replays the charge to a retry with the same key', async () => {
    const orderId = randomUUID();
    const input = { idempotencyKey: randomUUID(), orderId, amount: 4200, cardToken: 'tok_drop' };

    const dropped = await gatewayError(kit.gateway.charge(input));

    expect(errorFields(dropped)).toEqual({ status: null, code: 'NETWORK', retryable: true });
    const [payment] = await kit.gateway.listPayments(orderId);
    expect(payment).toEqual({
      paymentKey: expect.any(String),
      orderId,
      amount: 4200,
      status: 'DONE',
      approvedAt: expect.any(String),
      canceledAt: null,
    });
    expect(await kit.gateway.charge(input)).toEqual({
      outcome: 'APPROVED',
      paymentKey: payment.paymentKey,
      approvedAt: payment.approvedAt,
    });
    expect(await kit.entries(orderId)).toEqual([{ paymentKey: payment.paymentKey, kind: 'CHARGE', amount: 4200 }]);
  });

  it('refuses a second live charge of an order with ALREADY_PAID, naming the live payment', async () => {
    const orderId = randomUUID();
    const first = await kit.gateway.charge({ idempotencyKey: randomUUID(), orderId, amount: 800, cardToken: 'tok_visa' });
    if (first.outcome !== 'APPROVED') throw new Error('not approved');

    const second = await gatewayError(kit.gateway.charge({ idempotencyKey: randomUUID(), orderId, amount: 800, cardToken: 'tok_visa' }));

    expect(errorFields(second)).toEqual({ status: 409, code: 'ALREADY_PAID', retryable: false });
    expect(second.details).toEqual({ paymentKey: first.paymentKey });
    expect(await kit.entries(orderId)).toEqual([{ paymentKey: first.paymentKey, kind: 'CHARGE', amount: 800 }]);

    // Once cancelled, the order may be charged again.
    await kit.gateway.cancel({ idempotencyKey: randomUUID(), paymentKey: first.paymentKey, reason: 'retry payment' });
    const third = await kit.gateway.charge({ idempotencyKey: randomUUID(), orderId, amount: 800, cardToken: 'tok_visa' });
    expect(third.outcome).toBe('APPROVED');
    expect(await kit.net(orderId)).toBe(800);
  });

  it('lets exactly one of ten concurrent charges of one order under different keys through', async () => {
    const orderId = randomUUID();

    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        kit.gateway
          .charge({ idempotencyKey: randomUUID(), orderId, amount: 250, cardToken: 'tok_visa' })
          .then((r) => r.outcome, (e: { code: string }) => e.code),
      ),
    );

    expect(tally(outcomes)).toEqual({ APPROVED: 1, ALREADY_PAID: 9 });
    expect(await kit.net(orderId)).toBe(250);
  });

  it('answers a bad request with 400 VALIDATION_FAILED in the error shape, storing nothing', async () => {
    const orderId = randomUUID();
    const key = randomUUID();
    const bad = [
      await charge({ orderId, amount: -5, cardToken: 'tok_visa' }, key),
      await charge({ orderId, amount: 1.5, cardToken: 'tok_visa' }, key),
      await charge({ orderId, amount: '100', cardToken: 'tok_visa' }, key),
      await charge({ amount: 100, cardToken: 'tok_visa' }, key),
      await charge({ orderId: 'x'.repeat(201), amount: 100, cardToken: 'tok_visa' }, key),
      await charge({ orderId, amount: 100, cardToken: 'tok_visa' }, null),
      await charge({ orderId, amount: 100, cardToken: 'tok_visa' }, 'k'.repeat(256)),
      await request(kit.url, 'POST', '/v1/payments', {
        rawBody: '{"orderId": ',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
      }),
    ];

    for (const answer of bad) {
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(answer.body).sort()).toEqual(['error']);
      expect(Object.keys(answer.body.error).sort()).toEqual(['code', 'details', 'message']);
    }
    expect(bad[0].body.error.details.issues).toEqual([{ in: 'body', path: 'amount', message: expect.any(String) }]);
    expect(bad[5].body.error.message).toMatch(/Idempotency-Key/);
    expect(bad[7].body.error.message).toMatch(/not valid JSON/);
    // The key was never used: a valid request under it is charged normally.
    expect((await charge({ orderId, amount: 100, cardToken: 'tok_visa' }, key)).status).toBe(200);
    expect(await kit.net(orderId)).toBe(100);
  });

  it('answers an unknown route and a bad listing with the error shape', async () => {
    expect(await request(kit.url, 'GET', '/v1/nothing')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await request(kit.url, 'GET', '/v1/payments')).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(await request(kit.url, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });
});
