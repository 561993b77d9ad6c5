import fs from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { couponIssuerWorkflowId } from '../../src/contracts/workflowIds';
import { createDb } from '../../src/db/knex';
import { request } from '../support/http';
import { launchPlatform, platformHome, signalTree, type PlatformPorts } from '../support/platformProcess';

const { EventType } = temporal.api.enums.v1;

// Forty customers sign up and in from this one address: more than its sign-in limit allows.
const MANY_SIGN_INS = { AUTH_ADDRESS_LIMIT_PER_MINUTE: '0' };

/**
 * A crash in the middle of a coupon rush: the whole tree (API, worker, embedded
 * PostgreSQL, Temporal dev server) is SIGKILLed while claims are in flight, then started
 * again on the same data. Every claim the coupon's issuer had taken must be answered on the new worker, and the
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
    const first = launchPlatform(home, MANY_SIGN_INS);
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
    // Crash once the rush is under way: the coupon's issuer has taken claims.
    const issuerId = couponIssuerWorkflowId(coupon.body.id);
    const watcher = await Connection.connect({ address: `127.0.0.1:${home.ports.temporal}` });
    await waitUntil(async () => (await claimsTaken(new Client({ connection: watcher }), issuerId)) > 0, 30_000, 20);
    await watcher.close();
    signalTree(first, 'SIGKILL');
    await first.exited;
    await Promise.all(inFlight);

    const second = launchPlatform(home, MANY_SIGN_INS);
    await second.ready;
    const connection = await Connection.connect({ address: `127.0.0.1:${home.ports.temporal}` });
    const db = createDb({ url: `postgres://postgres:postgres@127.0.0.1:${home.ports.pg}/order_platform`, poolMax: 2 });
    try {
      const client = new Client({ connection });
      // Every claim the issuer took before the crash is answered by the new worker.
      await waitUntil(async () => (await claimsUnanswered(client, issuerId)) === 0, 90_000);

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

/** Claims (Updates) the issuer's current run has accepted, and of those how many it has not answered. */
async function claimCounts(client: Client, workflowId: string): Promise<{ taken: number; answered: number }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory().catch(() => ({ events: [] }));
  const events = history.events ?? [];
  return {
    taken: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED).length,
    answered: events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED).length,
  };
}
const claimsTaken = async (client: Client, workflowId: string) => (await claimCounts(client, workflowId)).taken;
const claimsUnanswered = async (client: Client, workflowId: string) => {
  const { taken, answered } = await claimCounts(client, workflowId);
  return taken - answered;
};

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, pollMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
