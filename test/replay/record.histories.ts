import fs from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { couponIssueWorkflowId } from '../../src/contracts/workflowIds';
import { createCouponIssueStarter } from '../../src/orchestration/couponIssue';
import { businessFailureOf } from '../../src/orchestration/workflowFailure';
import { createCoupon, signInAdmin, signUpCustomer } from '../support/factories';
import { testEnvironment } from '../support/environment';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Records the histories that test/replay/*.test.ts replays. Not part of `npm test`:
 * run `npm run record:histories` after a deliberate, versioned workflow change, and
 * commit the new files beside the old ones (old histories must keep replaying).
 */
const dir = path.join(__dirname, 'histories');

describe('record workflow histories', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  const save = async (name: string, workflowId: string) => {
    // The CLI writes the canonical proto-JSON history, the format replay reads.
    const env = testEnvironment();
    const { stdout } = await promisify(execFile)(env.temporalCliPath, [
      'workflow', 'show', '--workflow-id', workflowId, '--address', env.temporalAddress, '--namespace', env.namespace,
      '--output', 'json',
    ]);
    await fs.writeFile(path.join(dir, `${name}.json`), JSON.stringify(JSON.parse(stdout), null, 2) + '\n');
  };

  it('records issueCoupon: issued, sold out, outside its period', async () => {
    const admin = await signInAdmin(stack);
    const coupon = await createCoupon(stack, admin, { totalQuantity: 1 });
    const [winner, loser] = [await signUpCustomer(stack), await signUpCustomer(stack)];
    // Workflows are started directly: the API's fast path answers certain refusals
    // without one, and these histories must show the workflow's own refusal path.
    const starter = createCouponIssueStarter(stack.client, stack.taskQueue, { resultTimeoutMs: 60_000 });
    const outcome = async (couponId: string, userId: string) =>
      (await starter.issue({ couponId, userId })).result.then(
        () => 'issued',
        (error) => businessFailureOf(error)?.code,
      );
    expect(await outcome(coupon.id, winner.userId)).toBe('issued');
    expect(await outcome(coupon.id, loser.userId)).toBe('SOLD_OUT');
    await save('issueCoupon-issued', couponIssueWorkflowId(coupon.id, winner.userId));
    await save('issueCoupon-sold-out', couponIssueWorkflowId(coupon.id, loser.userId));

    const expired = await createCoupon(stack, admin, {
      validFrom: new Date(Date.now() - 7200_000),
      validUntil: new Date(Date.now() - 3600_000),
    });
    expect(await outcome(expired.id, winner.userId)).toBe('NOT_IN_ISSUE_PERIOD');
    await save('issueCoupon-not-in-period', couponIssueWorkflowId(expired.id, winner.userId));
  });
});
