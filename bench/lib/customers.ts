import { randomUUID } from 'node:crypto';
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
