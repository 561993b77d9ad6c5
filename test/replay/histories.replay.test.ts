import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { SAGA_OUTCOME_PATCH } from '../../src/workflows/completeOrder';
import { testEnvironment } from '../support/environment';

/**
 * Replays every recorded history in test/replay/histories (the JSON `temporal workflow
 * show --output json` writes) against today's workflow code, each under its real workflow
 * id. A change that would take a workflow already in flight down another path fails here,
 * naming the history and the first command that no longer matches, before it can reach
 * a running order. Histories are recorded by `npm run histories:record` and refreshed
 * only deliberately (docs/workflow-changes.md).
 */
const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

interface Recorded {
  file: string;
  workflowId: string;
  history: { events: { workflowExecutionStartedEventAttributes?: { workflowId?: string } }[] };
}

function load(file: string): Recorded {
  const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const workflowId = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowId;
  if (!workflowId) throw new Error(`${file}: its first event names no workflow id`);
  return { file, workflowId, history };
}

describe('recorded workflow histories replay against today\'s code', () => {
  const failures = new Map<string, string>();

  beforeAll(async () => {
    const recorded = files.map(load);
    const results = Worker.runReplayHistories(
      { workflowBundle: { codePath: testEnvironment().workflowBundlePath } },
      recorded.map(({ workflowId, history }) => ({ workflowId, history })),
    );
    // Results come in the order the histories went in; runs of one workflow (a
    // continue-as-new chain) share its id, so the order is what names the file.
    let index = 0;
    for await (const result of results) {
      const { file } = recorded[index++];
      if (result.error) failures.set(file, `${result.error.name}: ${result.error.message}`);
    }
  });

  it('has a history for every workflow type and the paths that matter', () => {
    const types = new Set(files.map((f) => f.split('-')[0]));
    expect([...types].sort()).toEqual(['completeOrder', 'couponIssuer', 'deliverCompletedOrders', 'issueCoupon', 'placeOrder', 'pruneIdempotencyKeys', 'reconcilePayments', 'redeliverOrder', 'releaseOrphanedHold', 'rollUpProductSales', 'sweepOrphanedHolds']);
    expect(files.length).toBeGreaterThanOrEqual(14);
  });

  it.each(files)('%s', (file) => {
    expect(failures.get(file)).toBeUndefined();
  });

  it('keeps orders placed before the memo patch replaying beside those placed after it', () => {
    const memoChanges = (file: string) =>
      (load(file).history.events as { eventType?: string }[]).filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED').length;
    expect(memoChanges('placeOrder-paid-after-decline.before-order-memo.json')).toBe(0);
    expect(memoChanges('placeOrder-paid-after-decline.json')).toBe(1);
    expect(failures.get('placeOrder-paid-after-decline.before-order-memo.json')).toBeUndefined();
    expect(failures.get('placeOrder-paid-after-decline.json')).toBeUndefined();
  });

  it('keeps sagas from before their outcome went into the order row replaying beside those after it', () => {
    // A patch marker's details hold {"id": <patch id>} as a base64 JSON payload.
    const patches = (file: string) =>
      (load(file).history.events as { markerRecordedEventAttributes?: { markerName?: string; details?: Record<string, { payloads?: { data?: string }[] }> } }[])
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .flatMap((e) => Object.values(e.markerRecordedEventAttributes!.details ?? {}).flatMap((d) => d.payloads ?? []))
        .map((p) => JSON.parse(Buffer.from(p.data ?? '', 'base64').toString()).id);
    const marked = (file: string) => patches(file).includes(SAGA_OUTCOME_PATCH);
    for (const name of ['completeOrder-paid', 'completeOrder-compensated-after-retries', 'completeOrder-complete-failed']) {
      expect({ name, before: marked(`${name}.before-saga-outcome.json`), after: marked(`${name}.json`) }).toEqual({ name, before: false, after: true });
      expect(failures.get(`${name}.before-saga-outcome.json`)).toBeUndefined();
      expect(failures.get(`${name}.json`)).toBeUndefined();
    }
  });

  it('replays a coupon issuer that continued as new, and the run it handed over to', () => {
    const events = (file: string) => load(file).history.events as { eventType?: string; workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string } }[];
    const handedOver = events('couponIssuer-continued-as-new.json');
    expect(handedOver[handedOver.length - 1].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    expect(events('couponIssuer-after-continue-as-new.json')[0].workflowExecutionStartedEventAttributes?.continuedExecutionRunId).toBeTruthy();
    for (const file of ['couponIssuer-continued-as-new.json', 'couponIssuer-after-continue-as-new.json', 'couponIssuer-rush-then-idle.json']) {
      expect(files).toContain(file);
      expect(failures.get(file)).toBeUndefined();
    }
  });

  it('keeps orders from before the stock moves became local activities replaying beside the new ones', () => {
    const scheduled = (file: string, activity: string) =>
      (load(file).history.events as { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[]).filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
      ).length;
    expect(scheduled('placeOrder-paid-after-decline.before-local-stock.json', 'reserveStock')).toBe(1);
    expect(scheduled('placeOrder-paid-after-decline.json', 'reserveStock')).toBe(0);
    expect(scheduled('completeOrder-paid.before-local-stock.json', 'confirmStock')).toBe(1);
    expect(scheduled('completeOrder-paid.json', 'confirmStock')).toBe(0);
    for (const file of ['placeOrder-paid-after-decline.before-local-stock.json', 'placeOrder-paid-after-decline.json', 'completeOrder-paid.before-local-stock.json', 'completeOrder-paid.json']) {
      expect(failures.get(file)).toBeUndefined();
    }
  });

  it('replays a saga that waited out a gateway outage (patched) beside one that failed on it (recorded before the patch)', () => {
    const events = (file: string) =>
      load(file).history.events as { activityTaskScheduledEventAttributes?: { activityType?: { name?: string } }; markerRecordedEventAttributes?: { markerName?: string } }[];
    const charges = (file: string) => events(file).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'chargePayment').length;
    const patchMarkers = (file: string) => events(file).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch').length;
    // The new path: a second charge after the outage, behind its patch marker.
    expect(charges('completeOrder-waited-out-gateway-outage.json')).toBe(2);
    expect(patchMarkers('completeOrder-waited-out-gateway-outage.json')).toBeGreaterThan(patchMarkers('completeOrder-charge-failed.json'));
    // The old path: one charge call, then the compensations.
    expect(charges('completeOrder-charge-failed.json')).toBe(1);
    for (const file of ['completeOrder-waited-out-gateway-outage.json', 'completeOrder-charge-failed.json']) expect(failures.get(file)).toBeUndefined();
  });
});
