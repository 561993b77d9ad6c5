import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { productWithStock } from '../support/catalog';
import { createCoupon, mintCustomers, signInAdmin, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { operationsOf, requestOf, type Operation, type Pools } from '../support/openApiFuzz';
import { placeOrder } from '../support/orders';
import { useTestStack } from '../support/stack';

/**
 * Every operation of `/api/openapi.json`, fuzzed with requests generated from its own
 * schemas (test/support/openApiFuzz.ts) as a customer, an admin, a stranger with a
 * broken, forged or dangling token, and with other customers' ids: every answer is a
 * status the document lists for that operation, never a 5xx, an error is the documented
 * body with a code listed for its status, and no body carries a stack trace or SQL.
 * Seeded; FUZZ_RUNS requests per operation (40 in CI; `npm run fuzz` runs 2,000).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);

describe('the API fuzzed from its OpenAPI document', () => {
  const stack = useTestStack();
  let doc: any;
  let pools: Pools;
  let operations: Operation[];
  const statuses = new Map<string, Map<number, number>>();

  beforeAll(async () => {
    doc = (await request(stack.baseUrl, 'GET', '/api/openapi.json')).body;
    operations = operationsOf(doc);
    const admin = await signInAdmin(stack);
    const [me, other] = await mintCustomers(stack, 2);
    const owned = async (customer: TestUser) => {
      const [optionId] = await productWithStock(stack.db, [1000]);
      const coupon = await createCoupon(stack, admin, { totalQuantity: 5 });
      const claimed = await request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: customer.token });
      const line = await request(stack.baseUrl, 'POST', '/api/v1/cart/items', { token: customer.token, body: { productOptionId: optionId, quantity: 1 } });
      const order = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
      const product = await stack.db('product_options').where({ id: optionId }).first('product_id');
      return [optionId, product.product_id, coupon.id, claimed.body.userCouponId, line.body.id, order.body.orderId];
    };
    const forged = jwt.sign({ role: 'admin' }, 'not-the-secret-not-the-secret-not-the-secret', { subject: me.userId, issuer: 'order-platform' });
    const dangling = (await stack.tokens.issue({ userId: randomUUID(), role: 'customer' })).accessToken;
    pools = { ids: [...(await owned(me)), ...(await owned(other))].filter(Boolean), tokens: [undefined, 'garbage', forged, dangling, me.token, me.token, admin.token] };
  });

  afterAll(() => {
    const summary = [...statuses].map(([op, counts]) => `${op}: ${[...counts].map(([s, n]) => `${s}x${n}`).join(' ')}`).join('\n');
    process.stderr.write(`fuzz statuses (${RUNS} runs per operation, seed ${SEED}):\n${summary}\n`);
  });

  it('covers every documented operation', () => {
    expect(operations.length).toBeGreaterThanOrEqual(25);
  });

  it('answers every generated request with a documented status and body, never a 5xx', async () => {
    for (const op of operations) {
      // Signing out would revoke the customer token the other operations use.
      const opPools = op.path.endsWith('/auth/logout') ? { ...pools, tokens: pools.tokens.filter((t) => t !== pools.tokens[4] && t !== pools.tokens[6]) } : pools;
      const counts = new Map<number, number>();
      statuses.set(`${op.method} ${op.path}`, counts);
      await fc.assert(
        fc.asyncProperty(requestOf(op, doc, opPools), async (generated) => {
          const response = await fetch(stack.baseUrl + generated.url, { method: generated.method, headers: generated.headers, body: generated.body });
          const text = await response.text();
          counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
          const what = `${generated.method} ${generated.url.slice(0, 200)} -> ${response.status} ${text.slice(0, 300)}`;
          expect({ what, serverError: response.status >= 500 }).toEqual({ what, serverError: false });
          expect({ what, documented: op.responses.has(response.status) }).toEqual({ what, documented: true });
          expect({ what, leaks: /node_modules|\n\s+at |\bselect\b.*\bfrom\b|insert into/i.test(text) }).toEqual({ what, leaks: false });
          if (response.status >= 400) {
            const body = JSON.parse(text);
            expect(Object.keys(body.error ?? {}).sort()).toEqual(['code', 'details', 'message']);
            const listed = op.responses.get(response.status)!;
            expect({ what, listed: listed.includes(body.error.code) }).toEqual({ what, listed: true });
          }
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
    }
  }, 30 * 60_000);
});
