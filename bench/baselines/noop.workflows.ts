// The Temporal baseline: a workflow that does nothing but run the same number of
// activities as the real one (1 local activity for a claim, 3 activities for the saga),
// so the difference to the real workflow is our code and our database work.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

const local = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });
const remote = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '10 seconds' });

export async function noopWorkflow(activities: number, kind: 'local' | 'remote'): Promise<void> {
  for (let i = 0; i < activities; i++) await (kind === 'local' ? local : remote).noop();
}
