import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { hashPassword } from '../../src/auth/passwords';
import { createTokenService } from '../../src/auth/tokens';
import { inBatches } from './burst';
import type { Http } from './http';

/** Set-up, not measured: an admin token and N signed-up customers' tokens. */
export async function adminToken(http: Http): Promise<string> {
  const login = await http.call('POST', '/api/v1/auth/login', {
    body: { email: process.env.ADMIN_EMAIL ?? 'admin@example.com', password: process.env.ADMIN_PASSWORD ?? 'admin-dev-password' },
  });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return login.body.accessToken;
}

/** Makes N customers and returns their tokens; set-up, not measured. */
export type CustomerMaker = (count: number) => Promise<string[]>;

/**
 * Customers for a rush: made in the platform's database with tokens signed by its key
 * when the harness knows that key (password hashing would otherwise make a 10,000-customer
 * set-up a quarter of an hour), else through sign-up and login over HTTP.
 */
export function customerMaker(http: Http, platform: { platformDatabaseUrl: string; jwtSecret?: string }): CustomerMaker {
  const secret = platform.jwtSecret;
  if (!secret) return (count) => signUpCustomers(http, count);
  return async (count) => {
    process.stderr.write(`  making ${count} customers in the database (not measured)...\n`);
    const tokens = createTokenService({ secret, ttlSeconds: 3600 });
    const passwordHash = await hashPassword('bench customers never log in');
    const run = randomUUID().slice(0, 8);
    const client = new Client({ connectionString: platform.platformDatabaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        `insert into users (email, password_hash, name)
         select 'bench-' || $1 || '-' || n || '@bench.example', $2, 'Bench' from generate_series(1, $3::int) n
         returning id`,
        [run, passwordHash, count],
      );
      return Promise.all(rows.map(async (row: { id: string }) => (await tokens.issue({ userId: row.id, role: 'customer' })).accessToken));
    } finally {
      await client.end();
    }
  };
}

export async function signUpCustomers(http: Http, count: number): Promise<string[]> {
  process.stderr.write(`  signing up ${count} customers (not measured)...\n`);
  const run = randomUUID().slice(0, 8);
  return inBatches(
    Array.from({ length: count }, (_, i) => async () => {
      const email = `bench-${run}-${i}@bench.example`;
      const signup = await http.call('POST', '/api/v1/auth/signup', { body: { email, password: 'bench password', name: 'Bench' } });
      if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
      return (await http.call('POST', '/api/v1/auth/login', { body: { email, password: 'bench password' } })).body.accessToken as string;
    }),
    20,
  );
}
