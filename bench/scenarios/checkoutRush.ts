import { randomUUID } from 'node:crypto';
import { burst, inBatches } from '../lib/burst';
import { adminToken, type CustomerMaker } from '../lib/customers';
import type { Http } from '../lib/http';
import { liveCharges } from '../lib/ledger';
import { countBy, summarise } from '../lib/stats';

/**
 * N buyers rush one option with S in stock: every one places an order at once, then
 * every placed order is paid at once. Exact means: S placed and S completed, N-S
 * OUT_OF_STOCK, exactly one live charge per completed order in the gateway's ledger, and
 * the option's stock shows S sold.
 */
export async function checkoutRush(http: Http, gateway: Http, makeCustomers: CustomerMaker, options: { buyers: number; stock: number }) {
  const admin = await adminToken(http);
  const product = await http.call('POST', '/api/v1/admin/products', {
    token: admin,
    body: { name: 'bench hot item', price: 1000, category: 'bench', stock: options.stock },
  });
  const optionId: string = product.body.options[0].id;
  const tokens = await makeCustomers(options.buyers);

  const placing = await burst(
    'place',
    tokens.map((token) => () =>
      http.call('POST', '/api/v1/orders', {
        token,
        headers: { 'idempotency-key': randomUUID() },
        body: { items: [{ productOptionId: optionId, quantity: 1 }] },
      }),
    ),
  );
  const placed = placing.results
    .map((reply, i) => ({ reply, token: tokens[i] }))
    .filter(({ reply }) => reply.status === 201);

  const paying = await burst(
    'pay',
    placed.map(({ reply, token }) => () =>
      http.call('POST', `/api/v1/orders/${reply.body.orderId}/payment`, {
        token,
        headers: { 'idempotency-key': randomUUID() },
        body: { cardToken: 'tok_visa' },
      }),
    ),
  );

  const ledger = await inBatches(
    placed.map(({ reply }) => () => liveCharges(gateway, reply.body.orderId)),
    50,
  );
  const stock = (await http.call('GET', `/api/v1/products/${product.body.id}`)).body.options[0].availableQuantity as number;

  const sold = Math.min(options.buyers, options.stock);
  const placeOutcomes = countBy(placing.results, (r) => (r.status === 201 ? 'PLACED' : `${r.status} ${r.body?.error?.code ?? ''}`.trim()));
  const payOutcomes = countBy(paying.results, (r) => (r.status === 200 ? 'COMPLETED' : `${r.status} ${r.body?.error?.code ?? ''}`.trim()));
  const exact =
    placeOutcomes.PLACED === sold &&
    (placeOutcomes['409 OUT_OF_STOCK'] ?? 0) === options.buyers - sold &&
    Object.keys(placeOutcomes).length === (options.buyers > sold ? 2 : 1) &&
    payOutcomes.COMPLETED === sold &&
    Object.keys(payOutcomes).length === 1 &&
    ledger.every((charges) => charges === 1) &&
    stock === options.stock - sold;
  return {
    parameters: options,
    exact,
    place: { outcomes: placeOutcomes, seconds: round(placing.seconds), ordersPerSecond: round(options.buyers / placing.seconds), latencyMs: summarise(placing.results.map((r) => r.ms)), cpuSeconds: placing.cpuSeconds },
    pay: { outcomes: payOutcomes, seconds: round(paying.seconds), ordersPerSecond: round(placed.length / paying.seconds), latencyMs: summarise(paying.results.map((r) => r.ms)), cpuSeconds: paying.cpuSeconds },
    ledger: { ordersWithExactlyOneCharge: ledger.filter((c) => c === 1).length, completedOrders: payOutcomes.COMPLETED ?? 0 },
    availableAfter: stock,
    completedOrderIds: placed.filter((_, i) => paying.results[i].status === 200).map(({ reply }) => reply.body.orderId as string),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;
