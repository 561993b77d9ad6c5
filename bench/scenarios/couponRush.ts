import { burst } from '../lib/burst';
import { adminToken, type CustomerMaker } from '../lib/customers';
import type { Http } from '../lib/http';
import { countBy, summarise } from '../lib/stats';

/**
 * N customers claim a coupon of quantity Q at the same moment. Exact means: Q issued,
 * N-Q SOLD_OUT, no other answer, and the coupon's issued count is Q.
 */
export async function couponRush(http: Http, makeCustomers: CustomerMaker, options: { users: number; quantity: number }) {
  const admin = await adminToken(http);
  const coupon = await http.call('POST', '/api/v1/admin/coupons', {
    token: admin,
    body: {
      name: 'bench coupon rush',
      discountType: 'FIXED',
      discountValue: 100,
      totalQuantity: options.quantity,
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3600_000).toISOString(),
    },
  });
  const tokens = await makeCustomers(options.users);

  const { results, seconds, cpuSeconds } = await burst('claims', tokens.map((token) => () => http.call('POST', `/api/v1/coupons/${coupon.body.id}/issue`, { token })));

  const outcomes = countBy(results, (r) => (r.status === 201 ? 'ISSUED' : `${r.status} ${r.body?.error?.code ?? ''}`.trim()));
  const after = await http.call('GET', `/api/v1/coupons/${coupon.body.id}`);
  const expected = { ISSUED: options.quantity, ...(options.users > options.quantity ? { '409 SOLD_OUT': options.users - options.quantity } : {}) };
  const exact = JSON.stringify(sortKeys(outcomes)) === JSON.stringify(sortKeys(expected)) && after.body.issuedQuantity === options.quantity;
  return {
    parameters: options,
    exact,
    outcomes,
    expected,
    seconds: round(seconds),
    claimsPerSecond: round(options.users / seconds),
    latencyMs: summarise(results.map((r) => r.ms)),
    cpuSeconds,
  };
}

const sortKeys = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
const round = (n: number) => Math.round(n * 10) / 10;
