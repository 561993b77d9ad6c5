import { randomUUID } from 'node:crypto';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createStockActivities } from '../../src/activities/stock';
import { createDb, type Knex } from '../../src/db/knex';
import { isBusinessErrorCode } from '../../src/domain/errors';
import { connectClient } from '../../src/temporal/client';
import { productWithStock, stockOf } from '../support/catalog';
import { testEnvironment } from '../support/environment';
import { startBareWorker } from '../support/stack';

/**
 * The reservation path through a real Temporal server: concurrent workflows, each
 * scheduling the real stock activity on a real worker against real PostgreSQL.
 */
describe('stock moves through Temporal', () => {
  let db: Knex;
  let client: Awaited<ReturnType<typeof connectClient>>['client'];
  let stop: () => Promise<void>;
  const taskQueue = `stock-probe-${randomUUID()}`;

  beforeAll(async () => {
    const env = testEnvironment();
    db = createDb({ url: env.databaseUrl, poolMax: 20 });
    const { code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('./stockProbe.workflows'),
      logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
    });
    const started = await startBareWorker({ taskQueue, workflowBundle: { code }, activities: createStockActivities({ db }) });
    client = started.client;
    stop = async () => {
      await started.stop();
      await db.destroy();
    };
  });
  afterAll(() => stop?.());

  /** The business code the probe workflow failed with (an unwrapped activity refusal). */
  const businessCodeOf = (error: WorkflowFailedError): string | undefined =>
    error.cause instanceof ApplicationFailure && isBusinessErrorCode(error.cause.type) ? error.cause.type : undefined;
  const outcome = (promise: Promise<unknown>) =>
    promise.then(
      () => 'OK',
      (error) => (error instanceof WorkflowFailedError ? (businessCodeOf(error) ?? 'FAILED') : 'ERROR'),
    );
  const reserve = (optionId: string, orderId = randomUUID()) =>
    outcome(
      client.workflow.execute('reserveStockProbe', {
        taskQueue,
        workflowId: `stock-probe:${orderId}`,
        args: [{ orderId, items: [{ optionId, quantity: 1 }] }],
      }),
    );
  const count = (outcomes: string[], value: string) => outcomes.filter((o) => o === value).length;

  it('gives 50 in stock to exactly 50 of 100 concurrent order workflows', async () => {
    const [option] = await productWithStock(db, [50]);

    const outcomes = await Promise.all(Array.from({ length: 100 }, () => reserve(option)));

    expect(count(outcomes, 'OK')).toBe(50);
    expect(count(outcomes, 'OUT_OF_STOCK')).toBe(50);
    expect(await stockOf(db, option)).toEqual({ total: 50, available: 0, reserved: 50, sold: 0 });
  });

  it('confirms and releases through workflows, and a release after confirm fails without touching counts', async () => {
    const [option] = await productWithStock(db, [10]);
    const [kept, dropped] = [randomUUID(), randomUUID()];
    expect(await reserve(option, kept)).toBe('OK');
    expect(await reserve(option, dropped)).toBe('OK');
    const settle = (orderId: string, action: 'confirm' | 'release') =>
      outcome(
        client.workflow.execute('settleStockProbe', {
          taskQueue,
          workflowId: `stock-probe:${action}:${orderId}:${randomUUID()}`,
          args: [orderId, action],
        }),
      );

    expect(await Promise.all([settle(kept, 'confirm'), settle(dropped, 'release')])).toEqual(['OK', 'OK']);
    expect(await settle(kept, 'release')).toBe('INVALID_STOCK_TRANSITION');
    expect(await stockOf(db, option)).toEqual({ total: 10, available: 9, reserved: 0, sold: 1 });
  });
});
