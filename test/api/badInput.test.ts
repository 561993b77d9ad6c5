import net from 'node:net';
import { createCoupon, signInAdmin, signUpCustomer, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { useTestStack } from '../support/stack';

/** Bad input is a clear 4xx in the one error shape, never a 500, and changes nothing. */
describe('bad input', () => {
  const stack = useTestStack();
  let admin: TestUser;
  let customer: TestUser;
  beforeAll(async () => {
    admin = await signInAdmin(stack);
    customer = await signUpCustomer(stack);
  });

  const expectError = (response: { status: number; body: any }, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.body.error).toEqual({ code, message: expect.any(String), details: response.body.error.details });
    expect(response.body.error).toHaveProperty('details');
  };
  const couponCount = async () => Number((await stack.db('coupons').count<{ count: string }[]>('* as count'))[0].count);

  const goodCoupon = {
    name: 'Valid',
    discountType: 'PERCENTAGE',
    discountValue: 10,
    totalQuantity: 5,
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
  };

  it.each([
    ['missing fields', {}],
    ['unknown discount type', { ...goodCoupon, discountType: 'FREE' }],
    ['percentage over 100', { ...goodCoupon, discountValue: 101 }],
    ['fractional amount', { ...goodCoupon, discountType: 'FIXED', discountValue: 9.99 }],
    ['negative minimum order', { ...goodCoupon, minOrderAmount: -1 }],
    ['zero quantity', { ...goodCoupon, totalQuantity: 0 }],
    ['quantity beyond an integer column', { ...goodCoupon, totalQuantity: 3_000_000_000 }],
    ['date without a zone', { ...goodCoupon, validFrom: '2026-01-01 00:00' }],
    ['period ending before it starts', { ...goodCoupon, validUntil: '2025-01-01T00:00:00Z' }],
    ['unknown field', { ...goodCoupon, discountvalue: 10 }],
    ['an array', [goodCoupon]],
  ])('refuses a coupon with %s: 400 and nothing written', async (_label, body) => {
    const before = await couponCount();
    const response = await request(stack.baseUrl, 'POST', '/api/v1/admin/coupons', { token: admin.token, body });
    expectError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.details.issues.length).toBeGreaterThan(0);
    expect(await couponCount()).toBe(before);
  });

  it('names the offending fields in details', async () => {
    const response = await request(stack.baseUrl, 'POST', '/api/v1/admin/coupons', {
      token: admin.token,
      body: { ...goodCoupon, discountValue: 101, validUntil: '2020-01-01T00:00:00Z' },
    });
    const paths = response.body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['discountValue', 'validUntil']));
  });

  it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
    const response = await request(stack.baseUrl, 'POST', '/api/v1/auth/signup', {
      rawBody: '{"email": "a@b.c",',
      headers: { 'content-type': 'application/json' },
    });
    expectError(response, 400, 'MALFORMED_JSON');
  });

  it('answers 400 when the body is missing or not declared as JSON', async () => {
    const response = await request(stack.baseUrl, 'POST', '/api/v1/auth/signup', {
      rawBody: 'email=a@b.c',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(response, 400, 'VALIDATION_FAILED');
  });

  it('answers 413 for an oversized body', async () => {
    const response = await request(stack.baseUrl, 'POST', '/api/v1/auth/signup', {
      body: { email: 'big@test.example', password: 'long enough', name: 'x'.repeat(200_000) },
    });
    expectError(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['signup with a bad email', '/api/v1/auth/signup', { email: 'not-an-email', password: 'long enough', name: 'N' }],
    ['signup with a short password', '/api/v1/auth/signup', { email: 'short@test.example', password: 'short', name: 'N' }],
    ['signup with a blank name', '/api/v1/auth/signup', { email: 'blank@test.example', password: 'long enough', name: '   ' }],
    ['login without a password', '/api/v1/auth/login', { email: 'x@test.example' }],
  ])('refuses %s with 400', async (_label, path, body) => {
    expectError(await request(stack.baseUrl, 'POST', path, { body }), 400, 'VALIDATION_FAILED');
  });

  it('answers 400 for a coupon id that is not a UUID, on read and on claim', async () => {
    expectError(await request(stack.baseUrl, 'GET', '/api/v1/coupons/42'), 400, 'VALIDATION_FAILED');
    expectError(
      await request(stack.baseUrl, 'POST', "/api/v1/coupons/'%3B drop table coupons/issue", { token: customer.token }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('answers 400, not 500, to a path with a broken %-escape', async () => {
    expectError(await request(stack.baseUrl, 'GET', '/api/v1/coupons/%zz'), 400, 'VALIDATION_FAILED');
    expectError(await request(stack.baseUrl, 'GET', '/api/v1/products/%E0%A4%A'), 400, 'VALIDATION_FAILED');
  });

  it('answers 400, not 500, to text with a NUL character, and writes nothing', async () => {
    const before = await couponCount();
    expectError(
      await request(stack.baseUrl, 'POST', '/api/v1/admin/coupons', { token: admin.token, body: { ...goodCoupon, name: 'a\u0000b' } }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await request(stack.baseUrl, 'GET', '/api/v1/products?category=%00'), 400, 'VALIDATION_FAILED');
    expectError(
      await request(stack.baseUrl, 'POST', '/api/v1/auth/signup', {
        body: { email: 'nul@test.example', password: 'long enough', name: '\u0000' },
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await couponCount()).toBe(before);
  });

  /** Sends raw bytes, as a client that bypasses every HTTP library would, and reads the whole answer. */
  const raw = (text: string) =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const { port } = new URL(stack.baseUrl);
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(text));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('error', reject);
      socket.on('close', () => {
        const [head, ...rest] = answer.split('\r\n\r\n');
        resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(rest.join('\r\n\r\n')) });
      });
    });

  it('answers what Node\'s HTTP parser refuses in the documented error body: 431 for headers or a URL over 16 KB, 400 for a control character in a header', async () => {
    expectError(await raw(`GET /api/v1/products HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`), 431, 'REQUEST_HEADERS_TOO_LARGE');
    expectError(await raw(`GET /api/v1/products?q=${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`), 431, 'REQUEST_HEADERS_TOO_LARGE');
    expectError(await raw('GET /api/v1/products HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0001b\r\n\r\n'), 400, 'MALFORMED_REQUEST');
    expectError(await raw('NOT A REQUEST\r\n\r\n'), 400, 'MALFORMED_REQUEST');
    // Still serving.
    expect((await request(stack.baseUrl, 'GET', '/healthz')).status).toBe(200);
  });

  it('answers 404 for an unknown coupon id', async () => {
    expectError(await request(stack.baseUrl, 'GET', '/api/v1/coupons/6f1c1d5e-9a0b-4c5d-8e7f-0a1b2c3d4e5f'), 404, 'COUPON_NOT_FOUND');
  });

  it('answers 404 JSON for an unknown route', async () => {
    expectError(await request(stack.baseUrl, 'GET', '/api/v1/nothing-here'), 404, 'NOT_FOUND');
    expectError(await request(stack.baseUrl, 'DELETE', '/api/v1/auth/login'), 404, 'NOT_FOUND');
  });

  it('reads a coupon with its remaining quantity', async () => {
    const coupon = await createCoupon(stack, admin, { totalQuantity: 3 });
    const response = await request(stack.baseUrl, 'GET', `/api/v1/coupons/${coupon.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: coupon.id, totalQuantity: 3, issuedQuantity: 0, remainingQuantity: 3 });
  });
});
