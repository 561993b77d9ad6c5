import jwt from 'jsonwebtoken';
import { randomUUID } from 'node:crypto';
import { createCoupon, signInAdmin, signUpCustomer } from '../support/factories';
import { request } from '../support/http';
import { productWithStock, stockOf } from '../support/catalog';
import { eventually } from '../support/orders';
import { useTestStack } from '../support/stack';

describe('accounts and authentication', () => {
  // A short session window, so a role change or a deletion is seen within the test.
  const stack = useTestStack({ sessionCacheTtlMs: 300 });

  const post = (path: string, body: unknown, token?: string) => request(stack.baseUrl, 'POST', path, { body, token });

  it('signs up, logs in and returns the user', async () => {
    const email = `Someone-${randomUUID()}@Test.Example`;
    const signup = await post('/api/v1/auth/signup', { email, password: 'long enough', name: 'Someone' });
    expect(signup.status).toBe(201);
    expect(signup.body).toEqual({ userId: expect.any(String) });

    // Email addresses are matched case-insensitively.
    const login = await post('/api/v1/auth/login', { email: email.toLowerCase(), password: 'long enough' });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 3600 });

    const me = await request(stack.baseUrl, 'GET', '/api/v1/users/me', { token: login.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: signup.body.userId, email: email.toLowerCase(), name: 'Someone', role: 'customer' });
    expect(me.body).not.toHaveProperty('passwordHash');
  });

  it('stores a password hash, never the password', async () => {
    const email = `hash-${randomUUID()}@test.example`;
    await post('/api/v1/auth/signup', { email, password: 'my secret words', name: 'H' });
    const row = await stack.db('users').where({ email }).first();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain('my secret words');
  });

  it('answers 409 for a duplicate email, including ten concurrent sign-ups of one address', async () => {
    const email = `dup-${randomUUID()}@test.example`;
    const attempts = await Promise.all(
      Array.from({ length: 10 }, () => post('/api/v1/auth/signup', { email, password: 'long enough', name: 'Dup' })),
    );
    expect(attempts.filter((r) => r.status === 201)).toHaveLength(1);
    expect(attempts.filter((r) => r.status === 409)).toHaveLength(9);
    expect(attempts.find((r) => r.status === 409)!.body.error.code).toBe('EMAIL_TAKEN');
    const [{ count }] = await stack.db('users').where({ email }).count<{ count: string }[]>('* as count');
    expect(Number(count)).toBe(1);
  });

  it('answers 401 for a wrong password and for an unknown email alike', async () => {
    const user = await signUpCustomer(stack);
    const wrong = await post('/api/v1/auth/login', { email: user.email, password: 'not the password' });
    const unknown = await post('/api/v1/auth/login', { email: `nobody-${randomUUID()}@test.example`, password: 'whatever1' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(unknown.body).toEqual(wrong.body);
  });

  describe('protected routes', () => {
    const adminRoute = '/api/v1/admin/coupons';
    const validCoupon = () => ({
      name: 'Auth check',
      discountType: 'FIXED',
      discountValue: 100,
      totalQuantity: 1,
      validFrom: new Date().toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    });

    it('answers 401 without a token', async () => {
      const response = await post(adminRoute, validCoupon());
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('UNAUTHORIZED');
      expect((await request(stack.baseUrl, 'GET', '/api/v1/users/me')).status).toBe(401);
    });

    it('answers 401 for a malformed, forged or expired token', async () => {
      const user = await signUpCustomer(stack);
      const forged = jwt.sign({ role: 'admin' }, 'not-the-server-secret-not-the-server-secret', {
        subject: user.userId,
        issuer: 'order-platform',
      });
      // Right secret, issuer and role: refused only because it expired a minute ago.
      const expired = jwt.sign({ role: 'admin', exp: Math.floor(Date.now() / 1000) - 60 }, stack.jwtSecret, {
        subject: user.userId,
        issuer: 'order-platform',
      });
      const unexpired = jwt.sign({ role: 'customer' }, stack.jwtSecret, { subject: user.userId, issuer: 'order-platform' });
      expect((await request(stack.baseUrl, 'GET', '/api/v1/users/me', { token: unexpired })).status).toBe(200);
      for (const token of ['garbage', forged, expired]) {
        const response = await post(adminRoute, validCoupon(), token);
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe('UNAUTHORIZED');
      }
      const noScheme = await request(stack.baseUrl, 'GET', '/api/v1/users/me', { headers: { authorization: user.token } });
      expect(noScheme.status).toBe(401);
    });

    it('serves public routes to a caller with a stale or broken token, as anonymous', async () => {
      const user = await signUpCustomer(stack);
      for (const token of ['garbage', jwt.sign({ role: 'customer' }, 'x'.repeat(40))]) {
        const login = await request(stack.baseUrl, 'POST', '/api/v1/auth/login', {
          token,
          body: { email: user.email, password: 'correct horse battery' },
        });
        expect(login.status).toBe(200);
      }
    });

    it('answers 403 to a customer on an admin route and writes nothing', async () => {
      const customer = await signUpCustomer(stack);
      const name = `forbidden-${randomUUID()}`;
      const response = await post(adminRoute, { ...validCoupon(), name }, customer.token);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
      expect(await stack.db('coupons').where({ name }).first()).toBeUndefined();
    });

    it('answers 401, never 500, to a token signed with the real key whose subject is no account, and writes nothing', async () => {
      const admin = await signInAdmin(stack);
      const coupon = await createCoupon(stack, admin, { totalQuantity: 5 });
      const [optionId] = await productWithStock(stack.db, [3]);
      const signed = (subject: string) => jwt.sign({ role: 'customer' }, stack.jwtSecret, { subject, issuer: 'order-platform' });
      const calls = [
        ['GET', '/api/v1/users/me', undefined],
        ['GET', '/api/v1/users/me/coupons', undefined],
        ['GET', '/api/v1/cart', undefined],
        ['POST', '/api/v1/cart/items', { productOptionId: optionId, quantity: 1 }],
        ['GET', '/api/v1/orders', undefined],
        ['POST', '/api/v1/orders', { items: [{ productOptionId: optionId, quantity: 1 }] }],
        ['GET', `/api/v1/orders/${randomUUID()}`, undefined],
        ['POST', `/api/v1/coupons/${coupon.id}/issue`, undefined],
      ] as const;
      for (const subject of ['not-a-uuid', '../../etc/passwd', `${randomUUID()}x`, randomUUID()]) {
        for (const [method, path, body] of calls) {
          const answer = await request(stack.baseUrl, method, path, { token: signed(subject), body, headers: { 'idempotency-key': randomUUID() } });
          expect({ subject, path, status: answer.status, code: answer.body?.error?.code }).toEqual({ subject, path, status: 401, code: 'UNAUTHORIZED' });
        }
      }
      expect((await stack.db('coupons').where({ id: coupon.id }).first()).issued_quantity).toBe(0);
      expect(await stockOf(stack.db, optionId)).toMatchObject({ available: 3, reserved: 0 });
    });

    it('logout revokes every token of the account at once; logging in again works', async () => {
      const user = await signUpCustomer(stack);
      const second = (await post('/api/v1/auth/login', { email: user.email, password: 'correct horse battery' })).body.accessToken;
      expect((await request(stack.baseUrl, 'GET', '/api/v1/users/me', { token: second })).status).toBe(200);
      expect((await post('/api/v1/auth/logout', undefined, user.token)).body).toEqual({ status: 'signed-out' });
      for (const token of [user.token, second]) {
        const me = await request(stack.baseUrl, 'GET', '/api/v1/users/me', { token });
        expect({ status: me.status, message: me.body.error.message }).toEqual({ status: 401, message: expect.stringMatching(/revoked/) });
      }
      const again = await post('/api/v1/auth/login', { email: user.email, password: 'correct horse battery' });
      expect((await request(stack.baseUrl, 'GET', '/api/v1/users/me', { token: again.body.accessToken })).status).toBe(200);
    });

    it('a demoted admin is a customer, and a deleted account is refused, within the session window', async () => {
      const admin = await signUpCustomer(stack);
      await stack.db('users').where({ id: admin.userId }).update({ role: 'admin' });
      const adminToken = (await stack.tokens.issue({ userId: admin.userId, role: 'admin' })).accessToken;
      const name = () => `demoted-${randomUUID()}`;
      expect((await post(adminRoute, { ...validCoupon(), name: name() }, adminToken)).status).toBe(201);
      await stack.db('users').where({ id: admin.userId }).update({ role: 'customer' });
      await eventually(async () => ((await post(adminRoute, { ...validCoupon(), name: name() }, adminToken)).status === 403 ? true : undefined), 5_000, 'the demotion');

      const leaving = await signUpCustomer(stack);
      expect((await request(stack.baseUrl, 'GET', '/api/v1/users/me', { token: leaving.token })).status).toBe(200);
      await stack.db('users').where({ id: leaving.userId }).delete();
      const refused = await eventually(async () => {
        const me = await request(stack.baseUrl, 'GET', '/api/v1/cart', { token: leaving.token });
        return me.status === 401 ? me : undefined;
      }, 5_000, 'the deletion');
      expect(refused.body.error.message).toMatch(/no longer exists/);
    });

    it('answers 403 to an admin claiming a customer coupon', async () => {
      const admin = await signInAdmin(stack);
      const coupon = await createCoupon(stack, admin);
      const response = await post(`/api/v1/coupons/${coupon.id}/issue`, undefined, admin.token);
      expect(response.status).toBe(403);
    });
  });
});
