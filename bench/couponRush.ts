/**
 * Flash-sale benchmark for coupon claims against a running platform (`npm start`).
 *
 *   npm run bench:coupons -- --users 500 --quantity 100
 *
 * Signs up N customers, creates a coupon of Q, fires every claim at once, then reports
 * throughput and latency and checks the outcome is exact (Q issued, N-Q refused).
 * Environment: API_URL (default http://127.0.0.1:3000), ADMIN_EMAIL, ADMIN_PASSWORD.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '300' },
    quantity: { type: 'string', default: '50' },
  },
});
const users = Number(values.users);
const quantity = Number(values.quantity);
const api = (process.env.API_URL ?? 'http://127.0.0.1:3000') + '/api/v1';

async function call(method: string, path: string, body?: unknown, token?: string) {
  const started = performance.now();
  const response = await fetch(api + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as any;
  return { status: response.status, json, ms: performance.now() - started };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const run = Date.now().toString(36);
  const admin = await call('POST', '/auth/login', {
    email: process.env.ADMIN_EMAIL ?? 'admin@example.com',
    password: process.env.ADMIN_PASSWORD ?? 'admin-dev-password',
  });
  if (admin.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(admin.json)}`);

  console.log(`signing up ${users} customers...`);
  const tokens: string[] = [];
  for (let i = 0; i < users; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, users - i) }, async (_, j) => {
        const email = `bench-${run}-${i + j}@bench.example`;
        await call('POST', '/auth/signup', { email, password: 'bench password', name: 'Bench' });
        return (await call('POST', '/auth/login', { email, password: 'bench password' })).json.accessToken as string;
      }),
    );
    tokens.push(...batch);
  }

  const coupon = await call(
    'POST',
    '/admin/coupons',
    {
      name: `bench ${run}`,
      discountType: 'FIXED',
      discountValue: 100,
      totalQuantity: quantity,
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    },
    admin.json.accessToken,
  );

  console.log(`${users} customers claim ${quantity} coupons at once...`);
  const started = performance.now();
  const results = await Promise.all(tokens.map((token) => call('POST', `/coupons/${coupon.json.id}/issue`, undefined, token)));
  const seconds = (performance.now() - started) / 1000;

  const byStatus = results.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
  const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
  const after = await call('GET', `/coupons/${coupon.json.id}`);
  const exact = byStatus[201] === quantity && (byStatus[409] ?? 0) === users - quantity && after.json.issuedQuantity === quantity;

  console.log(
    JSON.stringify(
      {
        users,
        quantity,
        seconds: Number(seconds.toFixed(2)),
        claimsPerSecond: Math.round(users / seconds),
        latencyMs: { p50: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies[latencies.length - 1]) },
        statuses: byStatus,
        issuedQuantity: after.json.issuedQuantity,
        exact,
      },
      null,
      2,
    ),
  );
  if (!exact) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
