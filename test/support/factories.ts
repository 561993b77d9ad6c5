import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../src/auth/passwords';
import { createUserRepository } from '../../src/db/repositories/users';
import { request } from './http';
import type { TestStack } from './stack';

export interface TestUser {
  userId: string;
  email: string;
  token: string;
}

const uniqueEmail = (label: string) => `${label}-${randomUUID()}@test.example`;

/** A customer created through the public sign-up and login endpoints. */
export async function signUpCustomer(stack: TestStack, label = 'customer'): Promise<TestUser> {
  const email = uniqueEmail(label);
  const password = 'correct horse battery';
  const signup = await request(stack.baseUrl, 'POST', '/api/v1/auth/signup', { body: { email, password, name: label } });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  const login = await request(stack.baseUrl, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { userId: signup.body.userId, email, token: login.body.accessToken };
}

/** Many customers at once; sign-ups run in small batches so password hashing does not starve the test. */
export async function signUpCustomers(stack: TestStack, count: number): Promise<TestUser[]> {
  const users: TestUser[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) => signUpCustomer(stack, `rush${i + j}`));
    users.push(...(await Promise.all(batch)));
  }
  return users;
}

/** An admin, made the way start-up makes one (from config), then logged in over HTTP. */
export async function signInAdmin(stack: TestStack): Promise<TestUser> {
  const email = uniqueEmail('admin');
  const password = 'admin password for tests';
  await createUserRepository(stack.db).upsertAdmin({ email, passwordHash: await hashPassword(password) });
  const login = await request(stack.baseUrl, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status}`);
  const user = await createUserRepository(stack.db).findByEmail(email);
  return { userId: user!.id, email, token: login.body.accessToken };
}

const HOUR = 3600_000;

export interface CouponOverrides {
  name?: string;
  discountType?: 'FIXED' | 'PERCENTAGE';
  discountValue?: number;
  minOrderAmount?: number;
  totalQuantity?: number;
  validFrom?: Date;
  validUntil?: Date;
}

/** A coupon created through the admin endpoint; valid from an hour ago for a day by default. */
export async function createCoupon(stack: TestStack, admin: TestUser, overrides: CouponOverrides = {}) {
  const now = Date.now();
  const response = await request(stack.baseUrl, 'POST', '/api/v1/admin/coupons', {
    token: admin.token,
    body: {
      name: overrides.name ?? 'Flash sale',
      discountType: overrides.discountType ?? 'FIXED',
      discountValue: overrides.discountValue ?? 1000,
      minOrderAmount: overrides.minOrderAmount ?? 0,
      totalQuantity: overrides.totalQuantity ?? 10,
      validFrom: (overrides.validFrom ?? new Date(now - HOUR)).toISOString(),
      validUntil: (overrides.validUntil ?? new Date(now + 24 * HOUR)).toISOString(),
    },
  });
  if (response.status !== 201) throw new Error(`coupon creation failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as { id: string; totalQuantity: number; remainingQuantity: number };
}

/**
 * Many customers for a rush, made directly in the database with tokens signed by the
 * stack's own key: sign-up hashes a password per customer, which would make a test of
 * a thousand customers mostly a test of argon2. The sign-up path has tests of its own.
 */
export async function mintCustomers(stack: TestStack, count: number): Promise<TestUser[]> {
  const passwordHash = await hashPassword('minted customers never log in');
  const rows = Array.from({ length: count }, (_, i) => ({ email: uniqueEmail(`minted${i}`), password_hash: passwordHash, name: `minted ${i}` }));
  const inserted: { id: string; email: string }[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    inserted.push(...(await stack.db('users').insert(rows.slice(i, i + 1000)).returning(['id', 'email'])));
  }
  return Promise.all(
    inserted.map(async (row) => ({
      userId: row.id,
      email: row.email,
      token: (await stack.tokens.issue({ userId: row.id, role: 'customer' })).accessToken,
    })),
  );
}
