import fs from 'node:fs';
import { serviceProcess } from '../../chaos/processTree';
import { randomUUID } from 'node:crypto';
import { request } from '../support/http';
import { launchPlatform, platformHome, signalTree, type PlatformProcess } from '../support/platformProcess';

const until = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

/**
 * `npm start` heals its local services: a SIGKILLed gateway or data platform simulator,
 * Temporal dev server or PostgreSQL is started again on the same data and port, readiness says so
 * while it is away, and the API and worker carry on by themselves: after each restart a
 * small rush of concurrent coupon claims goes through the API, a workflow and the
 * database with exact counts.
 */
describe('a stack that heals', () => {
  let platform: PlatformProcess;
  let baseUrl: string;
  let dataDir: string;

  beforeAll(async () => {
    const home = await platformHome();
    dataDir = home.dataDir;
    baseUrl = `http://127.0.0.1:${home.ports.api}`;
    // Each rush after a restart signs customers up and in from this one address: more than its sign-in limit allows.
    platform = launchPlatform(home, { AUTH_ADDRESS_LIMIT_PER_MINUTE: '0' });
    await platform.ready;
  });
  afterAll(async () => {
    if (platform && platform.child.exitCode === null) {
      signalTree(platform, 'SIGINT');
      await platform.exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });



  /** A small rush after the restart: 8 customers for 5 coupons, exactly 5 issued and 3 sold out. */
  async function claimsACoupon(): Promise<void> {
    const admin = await request(baseUrl, 'POST', '/api/v1/auth/login', { body: { email: 'admin@example.com', password: 'admin-dev-password' } });
    expect(admin.status).toBe(200);
    const coupon = await request(baseUrl, 'POST', '/api/v1/admin/coupons', {
      token: admin.body.accessToken,
      body: { name: 'heal', discountType: 'FIXED', discountValue: 100, totalQuantity: 5, validFrom: new Date(Date.now() - 60_000).toISOString(), validUntil: new Date(Date.now() + 3_600_000).toISOString() },
    });
    expect(coupon.status).toBe(201);
    const tokens = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const email = `${randomUUID()}@example.com`;
        expect((await request(baseUrl, 'POST', '/api/v1/auth/signup', { body: { email, password: 'a-long-password', name: 'Heal' } })).status).toBe(201);
        return (await request(baseUrl, 'POST', '/api/v1/auth/login', { body: { email, password: 'a-long-password' } })).body.accessToken as string;
      }),
    );
    const answers = await Promise.all(
      tokens.map((token) =>
        until('a claim answered', async () => {
          const answer = await request(baseUrl, 'POST', `/api/v1/coupons/${coupon.body.id}/issue`, { token });
          return answer.status === 503 ? undefined : answer.status;
        }),
      ),
    );
    expect(answers.filter((s) => s === 201)).toHaveLength(5);
    expect(answers.filter((s) => s === 409)).toHaveLength(3);
    const after = await request(baseUrl, 'GET', `/api/v1/coupons/${coupon.body.id}`);
    expect(after.body.issuedQuantity).toBe(5);
  }

  const ready = () => until('ready again', async () => ((await request(baseUrl, 'GET', '/readyz')).status === 200 ? true : undefined));

  it.each([
    ['payment gateway simulator', 'gateway'],
    ['data platform simulator', 'dataPlatform'],
    ['Temporal dev server', 'temporal'],
    ['PostgreSQL', 'postgres'],
  ] as const)('the %s, SIGKILLed, is started again and the platform carries on', async (name, key) => {
    const before = serviceProcess(platform.child.pid!, key);
    expect(before).toBeDefined();
    process.kill(before!, 'SIGKILL');
    const after = await until(`a new ${name} process`, () => {
      const pid = serviceProcess(platform.child.pid!, key);
      return pid !== undefined && pid !== before ? pid : undefined;
    });
    expect(after).not.toBe(before);
    await until(`"${name} restarted" in the log`, () => (platform.output().includes(`"msg":"${name} restarted"`) ? true : undefined));
    await ready();
    await claimsACoupon();
    expect(platform.child.exitCode).toBeNull();
  });

  it('readiness names the gateway simulator while it is away', async () => {
    const pid = serviceProcess(platform.child.pid!, 'gateway')!;
    process.kill(pid, 'SIGKILL');
    const away = await until('readiness to say the gateway is down', async () => {
      const answer = await request(baseUrl, 'GET', '/readyz');
      return answer.status === 503 ? answer : undefined;
    });
    expect(away.body.error.details.checks).toMatchObject({ paymentGateway: 'down', postgres: 'up', temporal: 'up' });
    await ready();
  });
});
