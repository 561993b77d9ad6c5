import { randomUUID } from 'node:crypto';
import { createThrowawayDatabase } from '../../src/dev/throwawayDatabase';
import { startDataPlatformProcess, type DataPlatformProcessOptions } from '../../src/platform/dataPlatformProcess';
import type { ServiceProcess } from '../../src/platform/serviceProcess';
import { testEnvironment } from '../support/environment';
import { request, type HttpResult } from '../support/http';
import { eventually } from '../support/orders';
import { freePort } from '../support/ports';

/**
 * The data platform simulator as the platform meets it: a process of its own on the
 * suite's PostgreSQL server, spoken to over HTTP. Its database is a throwaway one, so
 * the stats and the full listing below count exactly what these tests recorded.
 */
describe('data platform simulator', () => {
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  let port: number;
  let platform: ServiceProcess;

  const start = (options: Omit<DataPlatformProcessOptions, 'databaseUrl' | 'port'> = {}) =>
    startDataPlatformProcess({ databaseUrl, port, logLevel: 'warn', ...options });

  beforeAll(async () => {
    ({ url: databaseUrl, drop: dropDatabase } = await createThrowawayDatabase(testEnvironment().databaseUrl, 'data_platform_test'));
    port = await freePort();
    platform = await start();
  });
  afterAll(async () => {
    await platform?.stop();
    await dropDatabase?.();
  });

  const order = (extra: Record<string, unknown> = {}) => ({
    schemaVersion: 1,
    orderId: randomUUID(),
    customer: { id: randomUUID() },
    items: [{ productId: randomUUID(), quantity: 2, lineAmount: 5000 }],
    amounts: { total: 5000, discount: 0, final: 5000 },
    ...extra,
  });
  /** A delivery; a null key sends no Idempotency-Key header. */
  const deliver = (body: unknown, key: string | null = randomUUID()) =>
    request(platform.url, 'POST', '/v1/orders', { body, headers: key === null ? {} : { 'Idempotency-Key': key } });
  const recordOf = (orderId: string) => request(platform.url, 'GET', `/v1/orders/${encodeURIComponent(orderId)}`);
  const setFaults = (faults: Record<string, unknown>) => request(platform.url, 'PUT', '/admin/faults', { body: faults });
  const stats = async () => (await request<{ records: number; receipts: number }>(platform.url, 'GET', '/v1/stats')).body;
  const errorOf = (answer: HttpResult) => ({ status: answer.status, code: answer.body?.error?.code });

  it('records a first delivery (201) and answers a repeat with the first receipt (200, replayed), counting both', async () => {
    const body = order();
    const key = `order-completed:${body.orderId}`;

    const first = await deliver(body, key);
    // Same payload, other key order: the hash is over its meaning, not its bytes.
    const again = await deliver(Object.fromEntries(Object.entries(body).reverse()), key);
    const stored = await recordOf(body.orderId);

    expect(first.status).toBe(201);
    expect(first.body).toEqual({ orderId: body.orderId, receivedAt: expect.any(String), duplicate: false });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ orderId: body.orderId, receivedAt: first.body.receivedAt, duplicate: true });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual({
      orderId: body.orderId,
      schemaVersion: 1,
      payload: body,
      idempotencyKey: key,
      firstReceivedAt: first.body.receivedAt,
      lastReceivedAt: expect.any(String),
      receipts: 2,
    });
    expect(Date.parse(stored.body.lastReceivedAt)).toBeGreaterThanOrEqual(Date.parse(stored.body.firstReceivedAt));
  });

  it('refuses a key reused for another payload (422) and an order already recorded under another key (409), changing nothing', async () => {
    const body = order();
    const key = randomUUID();
    await deliver(body, key);

    const reused = await deliver({ ...body, amounts: { total: 1, discount: 0, final: 1 } }, key);
    const reusedForOtherOrder = await deliver(order(), key);
    const otherKey = await deliver(body, randomUUID());

    expect(errorOf(reused)).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(errorOf(reusedForOtherOrder)).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(errorOf(otherKey)).toEqual({ status: 409, code: 'ORDER_ALREADY_RECORDED' });
    expect(otherKey.body.error.details).toEqual({ orderId: body.orderId });
    expect((await recordOf(body.orderId)).body).toMatchObject({ payload: body, idempotencyKey: key, receipts: 1 });
  });

  it('records once when twenty deliveries with one key arrive together: one 201, receipts 20', async () => {
    const body = order();
    const key = randomUUID();
    const before = await stats();

    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(body, key)));

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    expect(new Set(answers.map((a) => a.body.receivedAt)).size).toBe(1);
    expect((await recordOf(body.orderId)).body.receipts).toBe(20);
    expect(await stats()).toEqual({ records: before.records + 1, receipts: before.receipts + 20 });
  });

  it('switches faults at runtime: unavailable answers every delivery 503 while health and queries still answer', async () => {
    const recorded = order();
    await deliver(recorded);
    const body = order();
    const key = randomUUID();
    try {
      const switched = await setFaults({ unavailable: true });
      const refused = await deliver(body, key);
      const health = await request(platform.url, 'GET', '/healthz');
      const query = await recordOf(recorded.orderId);

      expect(switched).toMatchObject({ status: 200, body: { unavailable: true, failureRate: 0, dropAfterRecordRate: 0, latencyMs: [0, 0] } });
      expect(errorOf(refused)).toEqual({ status: 503, code: 'DATA_PLATFORM_UNAVAILABLE' });
      expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
      expect(query.status).toBe(200);
      expect(errorOf(await recordOf(body.orderId))).toEqual({ status: 404, code: 'ORDER_NOT_FOUND' });

      await setFaults({ unavailable: false, failureRate: 1 });
      expect(errorOf(await deliver(body, key))).toEqual({ status: 503, code: 'DATA_PLATFORM_UNAVAILABLE' });
    } finally {
      await setFaults({ unavailable: false, failureRate: 0 });
    }

    expect((await request(platform.url, 'GET', '/admin/faults')).body).toEqual({ unavailable: false, failureRate: 0, dropAfterRecordRate: 0, latencyMs: [0, 0] });
    expect((await deliver(body, key)).status).toBe(201);
  });

  it('drop after record: the caller loses the answer, the order is recorded, and the retry is answered as a duplicate', async () => {
    const body = order();
    const key = randomUUID();
    await setFaults({ dropAfterRecordRate: 1 });
    try {
      const dropped = fetch(`${platform.url}/v1/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify(body),
      });

      await expect(dropped).rejects.toThrow(/fetch failed/);
      expect((await recordOf(body.orderId)).body).toMatchObject({ idempotencyKey: key, receipts: 1 });
      const retry = await deliver(body, key);
      expect(retry.status).toBe(200);
      expect(retry.body).toMatchObject({ orderId: body.orderId, duplicate: true });
      expect((await recordOf(body.orderId)).body.receipts).toBe(2);
    } finally {
      await setFaults({ dropAfterRecordRate: 0 });
    }
  });

  it('keeps its records across a restart, starts with the faults its variables set, and logs as JSON', async () => {
    const body = order();
    await deliver(body);
    const before = (await recordOf(body.orderId)).body;

    await platform.stop();
    const lines: Record<string, any>[] = [];
    const faults = { failureRate: 0.5, dropAfterRecordRate: 0.25, latencyMs: [1, 3] as [number, number] };
    platform = await start({ ...faults, logLevel: 'info', onLog: (line) => lines.push(JSON.parse(line)) });
    try {
      expect((await recordOf(body.orderId)).body).toEqual(before);
      expect((await request(platform.url, 'GET', '/admin/faults')).body).toEqual({ unavailable: false, ...faults });
      await setFaults({ failureRate: 0, dropAfterRecordRate: 0 });
      const next = order();
      expect((await deliver(next)).status).toBe(201);

      // Log lines come through a pipe, after the answers.
      const ready = await eventually(async () => lines.find((l) => l.msg === 'data platform simulator ready'), 5000, 'the ready line');
      expect(ready).toMatchObject({ name: 'data-platform', url: platform.url, faults: { unavailable: false, ...faults } });
      const recorded = await eventually(async () => lines.find((l) => l.msg === 'order recorded'), 5000, "the 'order recorded' line");
      expect(recorded).toMatchObject({ level: 30, orderId: next.orderId, idempotencyKey: expect.any(String) });
    } finally {
      await setFaults({ failureRate: 0, dropAfterRecordRate: 0, latencyMs: [0, 0] });
    }
  });

  it('answers bad input with 400 or 413 in the error shape, storing nothing', async () => {
    const before = await stats();
    const nested = (depth: number): unknown => (depth === 0 ? 'leaf' : [nested(depth - 1)]);
    const bad = {
      noKey: await deliver(order(), null),
      longKey: await deliver(order(), 'k'.repeat(256)),
      notJson: await request(platform.url, 'POST', '/v1/orders', { rawBody: '{"orderId": ', headers: { 'content-type': 'application/json', 'Idempotency-Key': randomUUID() } }),
      array: await deliver([order()]),
      versionAsText: await deliver(order({ schemaVersion: '1' })),
      versionZero: await deliver(order({ schemaVersion: 0 })),
      noOrderId: await deliver(order({ orderId: undefined })),
      longOrderId: await deliver(order({ orderId: 'o'.repeat(201) })),
      nulInPayload: await deliver(order({ note: { text: 'a\u0000b' } })),
      nulInKey: await deliver(order({ ['a\u0000b']: 1 })),
      loneSurrogate: await deliver(order({ note: '\ud800' })),
      tooDeep: await deliver(order({ nested: nested(40) })),
      tooLarge: await deliver(order({ padding: 'x'.repeat(70_000) })),
      orderIdsTooMany: await request(platform.url, 'GET', `/v1/orders?orderIds=${Array.from({ length: 501 }, (_, i) => `o${i}`).join(',')}`),
      orderIdsEmpty: await request(platform.url, 'GET', '/v1/orders?orderIds='),
      limitZero: await request(platform.url, 'GET', '/v1/orders?limit=0'),
      limitTooLarge: await request(platform.url, 'GET', '/v1/orders?limit=1001'),
      forgedCursor: await request(platform.url, 'GET', `/v1/orders?cursor=${Buffer.from(JSON.stringify(['2026-02-30T00:00:00.000000Z', 'x'])).toString('base64url')}`),
      garbageCursor: await request(platform.url, 'GET', '/v1/orders?cursor=not-a-cursor'),
      nulInPath: await request(platform.url, 'GET', '/v1/orders/a%00b'),
      rateTooHigh: await setFaults({ failureRate: 2 }),
      latencyBackwards: await setFaults({ latencyMs: [50, 10] }),
      unknownFault: await setFaults({ failurerate: 1 }),
    };

    const answered = Object.fromEntries(Object.entries(bad).map(([name, answer]) => [name, errorOf(answer)]));
    const validationFailed = { status: 400, code: 'VALIDATION_FAILED' };
    expect(answered).toEqual({
      ...Object.fromEntries(Object.keys(bad).map((name) => [name, validationFailed])),
      tooLarge: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
    });
    for (const answer of Object.values(bad)) {
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(Object.keys(answer.body.error).sort()).toEqual(['code', 'details', 'message']);
    }
    expect(bad.noKey.body.error.message).toMatch(/Idempotency-Key/);
    expect(bad.notJson.body.error.message).toMatch(/not valid JSON/);
    expect(bad.versionAsText.body.error.details.issues).toEqual([{ in: 'body', path: 'schemaVersion', message: expect.any(String) }]);
    expect(bad.nulInPayload.body.error.details.issues).toEqual([{ in: 'body', path: 'note.text', message: 'must not contain NUL characters' }]);
    expect(await stats()).toEqual(before);
    expect((await request(platform.url, 'GET', '/admin/faults')).body).toEqual({ unavailable: false, failureRate: 0, dropAfterRecordRate: 0, latencyMs: [0, 0] });
    expect(errorOf(await request(platform.url, 'GET', '/v1/nothing'))).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('finds records by a list of order ids, in the order asked, leaving out unknown ones', async () => {
    const [a, b, c] = [order(), order(), order()];
    for (const body of [a, b, c]) await deliver(body);
    const unknown = randomUUID();

    const found = await request(platform.url, 'GET', `/v1/orders?orderIds=${[c.orderId, unknown, a.orderId, b.orderId, a.orderId].join(',')}`);
    const fullList = await request(platform.url, 'GET', `/v1/orders?orderIds=${[a.orderId, ...Array.from({ length: 499 }, () => randomUUID())].join(',')}`);

    expect(found.status).toBe(200);
    expect(found.body.orders.map((r: { orderId: string }) => r.orderId)).toEqual([c.orderId, a.orderId, b.orderId]);
    expect(found.body.orders[0]).toEqual({
      orderId: c.orderId,
      schemaVersion: 1,
      payload: c,
      idempotencyKey: expect.any(String),
      firstReceivedAt: expect.any(String),
      lastReceivedAt: expect.any(String),
      receipts: 1,
    });
    expect(fullList.body.orders.map((r: { orderId: string }) => r.orderId)).toEqual([a.orderId]);
  });

  it('pages through every record exactly once, in arrival order', async () => {
    const created = Array.from({ length: 25 }, () => order());
    await Promise.all(created.map((body) => deliver(body)));
    const { records } = await stats();

    const walked: { orderId: string; firstReceivedAt: string }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: HttpResult = await request(platform.url, 'GET', `/v1/orders?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      walked.push(...page.body.orders);
      cursor = page.body.nextCursor;
      pages += 1;
    } while (cursor !== null);

    const ids = walked.map((r) => r.orderId);
    expect(walked).toHaveLength(records);
    expect(new Set(ids).size).toBe(records);
    expect(ids).toEqual(expect.arrayContaining(created.map((o) => o.orderId)));
    expect(pages).toBe(Math.ceil(records / 7));
    const times = walked.map((r) => Date.parse(r.firstReceivedAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect((await request(platform.url, 'GET', '/v1/orders')).body.orders).toHaveLength(Math.min(records, 100));
  });
});
