import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import { couponIssuerWorkflowId } from '../../src/contracts/workflowIds';
import { request } from '../support/http';
import { eventually } from '../support/orders';
import { launchPlatform, platformHome, signalTree, type PlatformPorts, type PlatformProcess } from '../support/platformProcess';

/**
 * `npm start` as a newcomer runs it: embedded PostgreSQL, the Temporal dev server with
 * its SQLite file and Web UI, migrations, worker and API, until the banner says ready.
 * Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops everything,
 * and a second start finds the same data: users, coupons and workflow histories.
 */
describe('npm start', () => {
  let home: { dataDir: string; ports: PlatformPorts };
  let ports: PlatformPorts;

  beforeAll(async () => {
    home = await platformHome();
    ports = home.ports;
  });
  afterAll(() => fs.rm(home.dataDir, { recursive: true, force: true }));

  const start = (extraEnv: Record<string, string> = {}) => launchPlatform(home, extraEnv);
  // Any token the simulator does not know approves: this one stands for a real card's.
  const CARD_TOKEN = 'tok_card_4242_never_logged';

  /**
   * Sends Ctrl-C (SIGINT) or a closed terminal's SIGHUP to the whole tree, as a terminal
   * does; the process must stop every part and exit 0.
   */
  async function ctrlC(started: PlatformProcess, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    signalTree(started, signal);
    expect(await started.exited).toBe(0);
    const log = started.output();
    expect(log).toContain('"msg":"PostgreSQL stopped"');
    expect(log).toContain('"msg":"Temporal dev server stopped"');
    expect(log).toContain('"msg":"stopped"');
    expect(log).not.toContain('stop failed');
  }

  const portOpen = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });

  it('refuses to start with a bad setting, naming the variable', async () => {
    const bad = start({ PORT: 'eighty', JWT_TTL_SECONDS: '5' });
    await expect(bad.ready).rejects.toThrow(/exited \(1\)[\s\S]*PORT[\s\S]*JWT_TTL_SECONDS/);
  });

  // As root, the embedded PostgreSQL runs as the postgres account; a cluster folder it
  // cannot enter is a setting to fix, said in one line, not a stack trace.
  (process.getuid?.() === 0 ? it : it.skip)('stops with one line naming a data folder PostgreSQL cannot enter', async () => {
    const closed = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-closed-'));
    try {
      await fs.mkdir(path.join(closed, 'postgres'));
      const bad = launchPlatform({ dataDir: closed, ports });
      expect(await bad.exited).toBe(1);
      const lines = bad.output().trim().split('\n').filter((line) => line.includes('start-up failed'));
      expect(lines).toEqual([expect.stringContaining(`${path.join(closed, 'postgres')} is inside a folder`)]);
      expect(bad.output()).not.toMatch(/\n\s+at /);
    } finally {
      await fs.rm(closed, { recursive: true, force: true });
    }
  });

  it('comes up, serves, stops cleanly on Ctrl-C or a closed terminal and keeps its data across a restart, and logs no secret', async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    // Debug level: everything any part logs, so the secrets check below sees it all.
    const first = start({ LOG_LEVEL: 'debug' });
    await first.ready;
    expect(first.output()).toContain(`${api}/api/docs`);
    expect(first.output()).toContain('admin@example.com');

    expect((await request(api, 'GET', '/readyz')).body.status).toBe('ready');
    expect((await fetch(`http://127.0.0.1:${ports.ui}/`)).status).toBe(200);

    const signup = await request(api, 'POST', '/api/v1/auth/signup', {
      body: { email: 'restart@test.example', password: 'survives restarts', name: 'R' },
    });
    expect(signup.status).toBe(201);
    const admin = await request(api, 'POST', '/api/v1/auth/login', {
      body: { email: 'admin@example.com', password: 'admin-dev-password' },
    });
    const coupon = await request(api, 'POST', '/api/v1/admin/coupons', {
      token: admin.body.accessToken,
      body: {
        name: 'Restart',
        discountType: 'FIXED',
        discountValue: 100,
        totalQuantity: 1,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validUntil: new Date(Date.now() + 3600_000).toISOString(),
      },
    });
    const login = await request(api, 'POST', '/api/v1/auth/login', {
      body: { email: 'restart@test.example', password: 'survives restarts' },
    });
    const claim = await request(api, 'POST', `/api/v1/coupons/${coupon.body.id}/issue`, { token: login.body.accessToken });
    expect(claim.status).toBe(201);

    // Checkout end to end through the stack npm start runs, the gateway simulator included.
    expect(first.output()).toContain(`http://127.0.0.1:${ports.gateway} (simulator)`);
    const product = await request(api, 'POST', '/api/v1/admin/products', {
      token: admin.body.accessToken,
      body: { name: 'Mug', price: 1200, category: 'kitchen', stock: 3 },
    });
    const placed = await request(api, 'POST', '/api/v1/orders', {
      token: login.body.accessToken,
      headers: { 'idempotency-key': 'npm-start-order' },
      body: { items: [{ productOptionId: product.body.options[0].id, quantity: 1 }], userCouponId: claim.body.userCouponId },
    });
    expect(placed.status).toBe(201);
    expect(placed.body.finalAmount).toBe(1100);
    const paid = await request(api, 'POST', `/api/v1/orders/${placed.body.orderId}/payment`, {
      token: login.body.accessToken,
      headers: { 'idempotency-key': 'npm-start-payment' },
      body: { cardToken: CARD_TOKEN },
    });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toBe('COMPLETED');
    // And its delivery Schedule brings the order to the data platform simulator it runs.
    expect(first.output()).toContain(`http://127.0.0.1:${ports.dataPlatform} (simulator)`);
    const delivered = await eventually(async () => {
      const answer = await fetch(`http://127.0.0.1:${ports.dataPlatform}/v1/orders/${placed.body.orderId}`);
      return answer.ok ? ((await answer.json()) as { payload: { amounts: { final: number } }; receipts: number }) : undefined;
    }, 90_000, 'the order at the data platform');
    expect(delivered.payload.amounts.final).toBe(1100);

    // No log line of the run (the start-up banner is not one: it prints the dev password
    // on purpose) holds a password, an access token or the card token.
    const logLines = first.output().split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(50);
    const secrets = { adminPassword: 'admin-dev-password', customerPassword: 'survives restarts', adminToken: admin.body.accessToken, customerToken: login.body.accessToken, cardToken: CARD_TOKEN };
    const leaked = Object.entries(secrets).flatMap(([name, secret]) => logLines.filter((line) => line.includes(secret)).map((line) => `${name}: ${line.slice(0, 300)}`));
    expect(leaked).toEqual([]);

    await ctrlC(first);
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);

    const second = start();
    await second.ready;
    try {
      // A third start beside the running one stops at once, naming the setting to change.
      const clash = start();
      await expect(clash.ready).rejects.toThrow(/port \d+ is already in use[\s\S]*set EMBEDDED_PG_PORT/);

      const again = await request(api, 'POST', '/api/v1/auth/login', {
        body: { email: 'restart@test.example', password: 'survives restarts' },
      });
      expect(again.status).toBe(200);
      const held = await request(api, 'GET', '/api/v1/users/me/coupons', { token: again.body.accessToken });
      expect(held.body.items.map((i: { userCouponId: string }) => i.userCouponId)).toEqual([claim.body.userCouponId]);

      const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
      try {
        // The coupon's issuer outlived the restart: Temporal's state is on disk too.
        const described = await new WorkflowClient({ connection }).getHandle(couponIssuerWorkflowId(coupon.body.id)).describe();
        expect(described.status.name).toBe('RUNNING');
      } finally {
        await connection.close();
      }
    } finally {
      await ctrlC(second, 'SIGHUP');
    }
  }, 240_000);
});
