import fs from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { testEnvironment } from '../support/environment';

/**
 * Replays recorded production-shaped histories against today's workflow code. A change
 * that would make a running workflow take a different path (non-determinism) fails here
 * before it can break workflows in flight.
 */
const dir = path.join(__dirname, 'histories');

describe('issueCoupon replays its recorded histories', () => {
  it.each(['issueCoupon-issued', 'issueCoupon-sold-out', 'issueCoupon-not-in-period'])('%s', async (name) => {
    const history = JSON.parse(await fs.readFile(path.join(dir, `${name}.json`), 'utf8'));
    const bundle = { codePath: testEnvironment().workflowBundlePath };
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, name)).resolves.toBeUndefined();
  });
});
