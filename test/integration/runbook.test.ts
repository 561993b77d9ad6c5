import fs from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { completeOrderWorkflowId, orderWorkflowId } from '../../src/contracts/workflowIds';
import { signUpCustomer } from '../support/factories';
import { productWithStock, stockOf } from '../support/catalog';
import { RUNBOOK_COMMANDS, SAGA_COMMANDS, runbookCommand } from '../support/runbook';
import { eventually, ledgerOf, orderRow, payOrder, placeOrder } from '../support/orders';
import { useTestStack } from '../support/stack';

/**
 * Runs the payment sagas' `temporal` commands of the on-call runbook (docs/operations.md)
 * against a real dev server, on a saga whose refund keeps failing, and fails if the
 * runbook lists a command no test runs (test/support/runbook.ts).
 */
describe('the on-call runbook', () => {
  const stack = useTestStack({
    // The stuck payment's request gives up (503) quickly rather than outlive the stack.
    resultTimeoutMs: 5_000,
    activityOverrides: {
      confirmStock: async () => {
        throw ApplicationFailure.create({ type: 'INJECTED_FAILURE', message: 'confirm failed (runbook test)', nonRetryable: true });
      },
    },
  });

  const temporal = (template: string, ids: Record<string, string>): Promise<string> => {
    expect(SAGA_COMMANDS).toContain(template);
    return runbookCommand(template, ids);
  };

  it('lists only commands the runbook tests run', async () => {
    const page = await fs.readFile(path.join(__dirname, '../../docs/operations.md'), 'utf8');
    const runbook = page.slice(page.indexOf('## Runbook'));
    const listed = runbook.split('\n').filter((line) => line.startsWith('temporal '));
    expect(listed.sort()).toEqual([...RUNBOOK_COMMANDS].sort());
  });

  it('finds, explains, resets and cancels, on real workflows', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [5]);

    // A saga whose refund keeps failing: it needs attention and stays that way.
    const stuck = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    const orderId: string = stuck.body.orderId;
    const sagaWorkflowId = completeOrderWorkflowId(orderId, 1);
    // Answered 503 (still running) while the refund keeps failing.
    const paying = payOrder(stack, customer, orderId, 'tok_refund_error_1000');
    await eventually(async () => ((await orderRow(stack.db, orderId)).needs_attention ? true : undefined), 60_000, 'attention');

    const byOrder = await eventually(async () => {
      const out = await temporal(`temporal workflow list --query 'OrderId = "<orderId>"'`, { orderId });
      return out.includes(sagaWorkflowId) && out.includes((await orderRow(stack.db, orderId)).workflow_id) ? out : undefined;
    }, 30_000, 'the order in visibility');
    expect(byOrder).toContain('placeOrder');
    const attention = await eventually(async () => {
      const out = await temporal(`temporal workflow list --query 'NeedsAttention = true'`, {});
      return out.includes(sagaWorkflowId) ? out : undefined;
    }, 30_000, 'the saga in the attention list');
    expect(attention).toContain('completeOrder');

    // The pending activity shows while a round runs (between rounds the saga sleeps), with
    // its last failure once an attempt of that round has failed (a round's first attempt has none yet).
    const described = await eventually(async () => {
      const out = await temporal('temporal workflow describe --workflow-id <sagaWorkflowId>', { sagaWorkflowId });
      return out.includes('refundPayments') && /GATEWAY_ERROR|failed to process the refund/.test(out) ? out : undefined;
    }, 30_000, 'the failing refund and its last failure in describe');
    expect(described).toMatch(/GATEWAY_ERROR|failed to process the refund/);
    const progress = await temporal('temporal workflow query --workflow-id <sagaWorkflowId> --name sagaProgress', { sagaWorkflowId });
    expect(progress).toMatch(/"state":\s*"COMPENSATING"/);
    expect(progress).toMatch(/"failedStep":\s*"confirmStock"/);
    expect(progress).toMatch(/"needsAttention":\s*true/);
    expect((await paying).status).toBe(503);
    const history = await temporal('temporal workflow show --workflow-id <sagaWorkflowId>', { sagaWorkflowId });
    expect(history).toContain('ActivityTaskScheduled');

    // Another order, waiting for payment: reset it to its last task, then cancel it by hand.
    const waiting = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }] }, 'runbook-cancel');
    const orderWorkflow = orderWorkflowId(customer.userId, 'runbook-cancel');
    expect(await stockOf(stack.db, optionId)).toMatchObject({ reserved: 3 });
    const running = await temporal(`temporal workflow list --query 'WorkflowType = "placeOrder" AND ExecutionStatus = "Running"'`, {});
    expect(running).toContain('placeOrder');
    await temporal('temporal workflow reset --workflow-id <orderWorkflowId> --type LastWorkflowTask --reason "re-run after fix"', {
      orderWorkflowId: orderWorkflow,
    });
    const cancelled = await temporal('temporal workflow update execute --workflow-id <orderWorkflowId> --name cancel', {
      orderWorkflowId: orderWorkflow,
    });
    expect(cancelled).toContain('CANCELLED');
    expect((await orderRow(stack.db, waiting.body.orderId)).status).toBe('CANCELLED');
    expect(await stockOf(stack.db, optionId)).toMatchObject({ reserved: 1 });
    expect(await ledgerOf(stack.db, waiting.body.orderId)).toEqual({ charges: 0, refunds: 0, net: 0 });
  });
});
