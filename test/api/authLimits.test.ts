import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../src/auth/passwords';
import { createUserRepository } from '../../src/db/repositories/users';
import { request } from '../support/http';
import { startTestStack, useTestStack, type TestStack } from '../support/stack';

/**
 * Sign-in and sign-up hold against a flood: per-address and per-account limits counted
 * in PostgreSQL (so two API processes share them), answered 429 with Retry-After and the
 * RateLimit-* headers before any password is hashed; and at most a few hashes at once
 * per process, the rest waiting in a bounded queue or refused at once.
 */
/** An account made in the database: signing up through the API would spend the address's attempts. */
async function account(stack: TestStack): Promise<{ email: string }> {
  const email = `limited-${randomUUID()}@test.example`;
  await createUserRepository(stack.db).insert({ email, name: 'L', passwordHash: await hashPassword('correct horse battery'), role: 'customer' });
  return { email };
}

describe('rate limits on sign-in and sign-up', () => {
  const stack = useTestStack({ authLimits: { perAddressPerMinute: 5, perAccountPerMinute: 3 }, trustProxyHops: 1 });
  const from = (address: string) => ({ 'x-forwarded-for': address });
  const login = (s: TestStack, email: string, password: string, address: string) =>
    request(s.baseUrl, 'POST', '/api/v1/auth/login', { body: { email, password }, headers: from(address) });
  // A new address each call: a random draw could repeat one an earlier test used up.
  let addresses = 0;
  const address = () => {
    addresses += 1;
    return `203.0.${113 + Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
  };

  it('refuses an address past its limit with 429, Retry-After and RateLimit headers, whatever the password', async () => {
    const user = await account(stack);
    const ip = address();
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await login(stack, `nobody-${randomUUID()}@test.example`, 'wrong password', ip));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    // The headers describe the nearer limit: each fresh account's (3) until the address's (5) is as near.
    expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['2', '2', '2', '1', '0']);
    expect(answers.map((a) => a.headers.get('ratelimit-policy'))).toEqual(['3;w=60', '3;w=60', '5;w=60', '5;w=60', '5;w=60']);

    const refused = await login(stack, user.email, 'correct horse battery', ip);
    expect({ status: refused.status, code: refused.body.error.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    // Another address is not held back.
    expect((await login(stack, user.email, 'correct horse battery', address())).status).toBe(200);
  });

  it('lets exactly the limit through when twenty attempts from one address arrive at once', async () => {
    const ip = address();
    const answers = await Promise.all(Array.from({ length: 20 }, () => login(stack, `nobody-${randomUUID()}@test.example`, 'wrong password', ip)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(5);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(15);
  });

  it('refuses an account past its limit from any address, and leaves other accounts alone', async () => {
    const [target, bystander] = [await account(stack), await account(stack)];
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await login(stack, target.email, 'guess', address()));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
    expect((await login(stack, target.email, 'correct horse battery', address())).status).toBe(429);
    expect((await login(stack, bystander.email, 'correct horse battery', address())).status).toBe(200);
  });

  it('counts attempts across API processes', async () => {
    const other = await startTestStack({ withWorker: false, authLimits: { perAddressPerMinute: 5, perAccountPerMinute: 3 }, trustProxyHops: 1 });
    try {
      const ip = address();
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await login(i % 2 ? other : stack, `nobody-${randomUUID()}@test.example`, 'x', ip)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    } finally {
      await other.stop();
    }
  });

  it('limits sign-ups per address too', async () => {
    const ip = address();
    const signUp = () =>
      request(stack.baseUrl, 'POST', '/api/v1/auth/signup', { body: { email: `new-${randomUUID()}@test.example`, password: 'long enough', name: 'N' }, headers: from(ip) });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await signUp()).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });
});

describe('the bound on password hashing', () => {
  const stack = useTestStack({ hashing: { concurrency: 1, queue: 3 } });

  it('refuses at once what would wait past the queue, and answers the rest', async () => {
    const user = await account(stack);
    const body = { email: user.email, password: 'correct horse battery' };
    const answers = await Promise.all(Array.from({ length: 12 }, () => request(stack.baseUrl, 'POST', '/api/v1/auth/login', { body })));
    const statuses = answers.map((a) => a.status);
    // One hashing, three waiting: at least four are answered; the rest are refused at once.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const refused = answers.find((a) => a.status === 429)!;
    expect({ code: refused.body.error.code, retryAfter: refused.headers.get('retry-after') }).toEqual({ code: 'RATE_LIMITED', retryAfter: '1' });
    expect((await request(stack.baseUrl, 'POST', '/api/v1/auth/login', { body })).status).toBe(200);
  });
});
