import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ChaosResult } from '../../chaos/run';

/**
 * A short `npm run chaos -- run`, as CI runs it: its own stack, a checkout load of
 * retrying clients, the worker, the API, the Temporal dev server and the gateway each
 * SIGKILLed at least once on a seeded schedule, then the books and the clients' view of
 * them checked. It must find nothing, and must really have done what it reports.
 */
describe('npm run chaos -- run', () => {
  it('kills every part under load and leaves books without a violation', async () => {
    const out = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'chaos-')), 'result.json');
    const run = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'chaos/cli.ts', 'run', '--minutes', '1', '--seed', '5', '--kills', '4', '--shoppers', '12', '--out', out],
      { cwd: path.join(__dirname, '../..'), env: { ...process.env, LOG_LEVEL: 'fatal' }, maxBuffer: 64 * 1024 * 1024 },
    ).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
    const result: ChaosResult = JSON.parse(await fs.readFile(out, 'utf8'));
    const found = [...result.invariants.violations, ...result.clientView.violations];
    expect({ found, stillRunning: result.quiescence.stillRunning, exit: (run as { code?: number }).code ?? 0 }).toEqual({ found: [], stillRunning: 0, exit: 0 });

    expect(Object.keys(result.killsByTarget).sort()).toEqual(['api', 'gateway', 'temporal', 'worker']);
    expect(result.requests.repeated).toBeGreaterThan(0);
    expect(result.orders.COMPLETED).toBeGreaterThan(0);
    expect(result.invariants.checked.orders).toBe(Object.values(result.orders).reduce((a, b) => a + b, 0));
    expect(result.clientView.asked).toBeGreaterThan(0);
    await fs.rm(path.dirname(out), { recursive: true, force: true });
  }, 15 * 60_000);
});
