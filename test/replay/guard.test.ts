import fs from 'node:fs/promises';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';

/** The replay guard is only worth something if it fails on a real determinism break. */
describe('the replay guard', () => {
  it('rejects a non-deterministic change to placeOrder, naming the mismatching command', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./nondeterministic.workflows'),
      logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
    });
    const history = JSON.parse(await fs.readFile(path.join(__dirname, 'histories', 'placeOrder-paid-after-decline.json'), 'utf8'));
    const workflowId = history.events[0].workflowExecutionStartedEventAttributes.workflowId;

    const replay = Worker.runReplayHistory({ workflowBundle: { code } }, history, workflowId);

    await expect(replay).rejects.toBeInstanceOf(DeterminismViolationError);
    await expect(replay).rejects.toThrow(/Timer|StartTimer|timer/i);
  });
});
