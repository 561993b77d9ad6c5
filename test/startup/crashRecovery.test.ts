import fs from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { createDb } from '../../src/db/knex';
import { request } from '../support/http';
import { launchPlatform, platformHome, signalTree, type PlatformPorts } from '../support/platformProcess';

/**
 * A crash in the middle of a coupon rush: the whole tree (API, worker, embedded
 * PostgreSQL, Temporal dev server) is SIGKILLed while claims are in flight, then started
 * again on the same data. Every interrupted claim must finish on the new worker, and the
 * books must be exact: no coupon issued twice, none lost, none beyond the quantity.
 */
describe('crash in the middle of a rush', () => {
  let home: { dataDir: string; ports: PlatformPorts };
  beforeAll(async () => {
    home = await platformHome();
  });
  afterAll(() => fs.rm(home.dataDir, { recursive: true, force: true }));

  it('recovers every interrupted claim and keeps exact counts', async () => {
    const api = `http://127.0.0.1:${home.ports.api}/api/v1`;
    const quantity = 20;
    const first = launchPlatform(home);
    await first.ready;

    const admin = await request(api, 'POST', '/auth/login', { body: { email: 'admin@example.com', password: 'admin-dev-password' } });
    const coupon = await request(api, 'POST', '/admin/coupons', {
      token: admin.body.accessToken,
      body: {
        name: 'Crash sale',
        discountType: 'FIXED',
        discountValue: 100,
        totalQuantity: quantity,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validUntil: new Date(Date.now() + 3600_000).toISOString(),
      },
    });
    const tokens = await Promise.all(
      Array.from({ length: 2 * quantity }, async (_, i) => {
        const email = `crash-${i}@test.example`;
        await request(api, 'POST', '/auth/signup', { body: { email, password: 'crash test pw', name: 'C' } });
        return (await request(api, 'POST', '/auth/login', { body: { email, password: 'crash test pw' } })).body.accessToken as string;
      }),
    );
    const claim = (token: string) => request(api, 'POST', `/coupons/${coupon.body.id}/issue`, { token });

    const inFlight = tokens.map((token) => claim(token).catch(() => undefined));
    // Crash once the rush is under way: a few claim workflows exist, most are not done.
    const watcher = await Connection.connect({ address: `127.0.0.1:${home.ports.temporal}` });
    await waitUntil(async () => (await listClaims(new Client({ connection: watcher }), '')) >= 5, 30_000, 20);
    await watcher.close();
    signalTree(first, 'SIGKILL');
    await first.exited;
    await Promise.all(inFlight);

    const second = launchPlatform(home);
    await second.ready;
    const connection = await Connection.connect({ address: `127.0.0.1:${home.ports.temporal}` });
    const db = createDb({ url: `postgres://postgres:postgres@127.0.0.1:${home.ports.pg}/order_platform`, poolMax: 2 });
    try {
      const client = new Client({ connection });
      await waitUntil(async () => (await listClaims(client, " AND ExecutionStatus = 'Running'")) === 0, 90_000);

      // Everyone asks again. Holders learn they hold it; the rest share what is left.
      const again = await Promise.all(tokens.map(claim));
      const codes = again.map((r) => (r.status === 201 ? 'ISSUED' : r.body.error?.code));
      const holders = codes.filter((c) => c === 'ISSUED' || c === 'ALREADY_ISSUED').length;
      expect(holders).toBe(quantity);
      expect(codes.filter((c) => c === 'SOLD_OUT')).toHaveLength(quantity);

      const row = await db('coupons').where({ id: coupon.body.id }).first();
      const [{ count }] = await db('user_coupons').where({ coupon_id: coupon.body.id }).count<{ count: string }[]>('* as count');
      expect(row.issued_quantity).toBe(quantity);
      expect(Number(count)).toBe(quantity);
    } finally {
      await db.destroy();
      await connection.close();
      signalTree(second, 'SIGINT');
      expect(await second.exited).toBe(0);
    }
  }, 300_000);
});

async function listClaims(client: Client, extra: string): Promise<number> {
  let n = 0;
  for await (const _ of client.workflow.list({ query: `WorkflowType = 'issueCoupon'${extra}` })) n += 1;
  return n;
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, pollMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
