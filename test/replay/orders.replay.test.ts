import fs from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testEnvironment } from '../support/environment';

/**
 * The order workflows' recorded histories (every path: paid after a decline, refused,
 * cancelled, expired, a failed payment compensated after retry rounds) replayed against
 * today's code: a change that would take a running order down another path fails here.
 */
const dir = path.join(__dirname, 'histories');

describe('order workflows replay their recorded histories', () => {
  it.each([
    'placeOrder-paid-after-decline',
    'placeOrder-cancelled',
    'placeOrder-out-of-stock',
    'placeOrder-expired',
    'placeOrder-payment-failed',
    'completeOrder-declined',
    'completeOrder-paid',
    'completeOrder-compensated-after-retries',
  ])('%s', async (name) => {
    const history = JSON.parse(await fs.readFile(path.join(dir, `${name}.json`), 'utf8'));
    const bundle = { codePath: testEnvironment().workflowBundlePath };
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, name)).resolves.toBeUndefined();
  });
});
