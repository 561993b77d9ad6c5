import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection, WorkflowClient } from '@temporalio/client';
import { couponIssueWorkflowId } from '../../src/contracts/workflowIds';
import { testEnvironment } from '../support/environment';
import { request } from '../support/http';
import { freePort } from '../support/ports';

/**
 * `npm start` as a newcomer runs it: embedded PostgreSQL, the Temporal dev server with
 * its SQLite file and Web UI, migrations, worker and API, until the banner says ready.
 * Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops everything,
 * and a second start finds the same data: users, coupons and workflow histories.
 */
describe('npm start', () => {
  const repoRoot = path.resolve(__dirname, '../..');
  let dataDir: string;
  let ports: { api: number; pg: number; temporal: number; ui: number };
  const startScript: string = require('../../package.json').scripts.start;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-start-'));
    await fs.chmod(dataDir, 0o755);
    ports = { api: await freePort(), pg: await freePort(), temporal: await freePort(), ui: await freePort() };
  });
  afterAll(() => fs.rm(dataDir, { recursive: true, force: true }));

  function start(extraEnv: Record<string, string> = {}): { child: ChildProcess; ready: Promise<void>; output: () => string } {
    // Exactly the command `npm start` runs, without npm in between: npm re-raises Ctrl-C
    // on itself, which would hide our process's own exit code.
    const [command, ...args] = startScript.split(' ');
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      detached: true, // its own process group, so the test can send Ctrl-C to all of it
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(ports.api),
        EMBEDDED_PG_PORT: String(ports.pg),
        TEMPORAL_DEV_PORT: String(ports.temporal),
        TEMPORAL_UI_PORT: String(ports.ui),
        TEMPORAL_CLI: testEnvironment().temporalCliPath,
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: '',
        LOG_FORMAT: 'json',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Order platform is ready')) resolve();
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before ready:\n${output}`)));
    });
    return { child, ready, output: () => output };
  }

  /** Sends Ctrl-C as a terminal does; the process must stop every part and exit 0. */
  async function ctrlC(started: { child: ChildProcess; output: () => string }): Promise<void> {
    const exited = new Promise<number | null>((resolve) => started.child.on('exit', (code) => resolve(code)));
    process.kill(-started.child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
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

  it('comes up, serves, stops cleanly on Ctrl-C and keeps its data across a restart', async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    const first = start();
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
        const workflowId = couponIssueWorkflowId(coupon.body.id, signup.body.userId);
        const described = await new WorkflowClient({ connection }).getHandle(workflowId).describe();
        expect(described.status.name).toBe('COMPLETED');
      } finally {
        await connection.close();
      }
    } finally {
      await ctrlC(second);
    }
  }, 240_000);
});
