import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { testEnvironment } from './environment';

/**
 * The `temporal` commands of the on-call runbook (docs/operations.md, "Runbook"), each
 * run by a test against a real dev server: the payment sagas' by
 * test/integration/runbook.test.ts, the maintenance schedules' by
 * test/orders/orphanSweep.test.ts, the data platform deliveries' by
 * test/orders/orderDelivery.test.ts. The runbook test fails if the page lists any other.
 */
export const SAGA_COMMANDS = [
  `temporal workflow list --query 'OrderId = "<orderId>"'`,
  `temporal workflow list --query 'NeedsAttention = true'`,
  'temporal workflow describe --workflow-id <sagaWorkflowId>',
  'temporal workflow query --workflow-id <sagaWorkflowId> --name sagaProgress',
  'temporal workflow show --workflow-id <sagaWorkflowId>',
  'temporal workflow reset --workflow-id <orderWorkflowId> --type LastWorkflowTask --reason "re-run after fix"',
  'temporal workflow update execute --workflow-id <orderWorkflowId> --name cancel',
  `temporal workflow list --query 'WorkflowType = "placeOrder" AND ExecutionStatus = "Running"'`,
];

export const MAINTENANCE_COMMANDS = [
  'temporal schedule list',
  'temporal schedule describe --schedule-id <scheduleId>',
  'temporal schedule trigger --schedule-id <scheduleId>',
  'temporal schedule toggle --schedule-id <scheduleId> --pause --reason "<why>"',
  'temporal schedule toggle --schedule-id <scheduleId> --unpause --reason "<why>"',
  `temporal workflow list --query 'WorkflowType = "releaseOrphanedHold"'`,
  `temporal workflow list --query 'WorkflowType = "reconcilePayments" AND NeedsAttention = true'`,
];

export const DELIVERY_COMMANDS = [
  `temporal workflow list --query 'WorkflowType = "deliverCompletedOrders" AND NeedsAttention = true'`,
  `temporal workflow start --type redeliverOrder --task-queue <taskQueue> --workflow-id redeliver-order:<orderId> --input '"<orderId>"'`,
  'temporal workflow result --workflow-id redeliver-order:<orderId>',
];

export const RUNBOOK_COMMANDS = [...SAGA_COMMANDS, ...MAINTENANCE_COMMANDS, ...DELIVERY_COMMANDS];

/** Splits a command line the way a shell would for these commands (plain words and quotes). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Runs one runbook command, its <placeholders> filled in, with the test server's CLI; returns its output. */
export async function runbookCommand(template: string, values: Record<string, string>): Promise<string> {
  if (!RUNBOOK_COMMANDS.includes(template)) throw new Error(`not a runbook command: ${template}`);
  const command = template.replace(/<(\w+)>/g, (_, name: string) => {
    if (values[name] === undefined) throw new Error(`no value for <${name}> in ${template}`);
    return values[name];
  });
  const [, ...args] = words(command);
  const env = testEnvironment();
  const { stdout } = await promisify(execFile)(env.temporalCliPath, [...args, '--address', env.temporalAddress, '--namespace', env.namespace]);
  return stdout;
}
