import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { ApplicationFailure, type Duration } from '@temporalio/common';
import { cancelUpdate, payUpdate, placementUpdate, sagaProgressQuery } from '../../src/contracts/orderMessages';
import type { OrderSummary, PlaceOrderInput } from '../../src/contracts/orders';
import { completeOrderWorkflowId } from '../../src/contracts/workflowIds';
import { NeedsAttentionAttribute } from '../../src/temporal/searchAttributes';
import type { placeOrder } from '../../src/workflows';
import { checkWorkflows } from '../../chaos/invariants';
import { testEnvironment } from '../support/environment';
import { startBareWorker } from '../support/stack';

/**
 * The order workflows (placeOrder and its CompleteOrder saga) with every activity faked
 * in memory, on the real Temporal server the suite runs on: their branches, answers and
 * the activities each branch asks for, in order. Durations come from the workflows'
 * inputs (a reservation of a few hundred milliseconds, compensation retries and pauses of
 * a few), so no case waits on real-world timeouts. The HTTP suites (test/orders) run the
 * same flows against PostgreSQL and the gateway.
 */

/** How one order's fake activities behave; set per test, looked up by order id. */
interface Script {
  /** findOrder fails for no business reason: the order's workflow fails. */
  breakLookup?: boolean;
  refuseReservation?: boolean;
  charge?: 'approve' | 'decline' | 'fail';
  /** The charge waits for this before answering (a payment in progress). */
  chargeGate?: Promise<void>;
  /** closeUnpaidOrder waits for this (an expiry under way). */
  closeGate?: Promise<void>;
  failConfirm?: boolean;
  /** releaseStock fails this many times before it succeeds. */
  releaseFailures?: number;
}

interface World {
  scripts: Map<string, Script>;
  calls: Map<string, string[]>;
}

const fail = (message: string) => ApplicationFailure.create({ message, nonRetryable: true });

function fakeActivities(world: World) {
  const script = (orderId: string) => world.scripts.get(orderId) ?? {};
  const called = (orderId: string, what: string) => {
    const list = world.calls.get(orderId) ?? [];
    list.push(what);
    world.calls.set(orderId, list);
  };
  const summary = (orderId: string, status: OrderSummary['status'], reservationExpiresAt: string): OrderSummary => ({
    orderId,
    status,
    totalAmount: 1000,
    discountAmount: 100,
    finalAmount: 900,
    reservationExpiresAt,
  });
  const expiries = new Map<string, string>();
  return {
    async findOrder(orderId: string) {
      called(orderId, 'findOrder');
      if (script(orderId).breakLookup) throw fail('the lookup broke');
      return null;
    },
    async prepareOrder() {
      return { lines: [{ optionId: randomUUID(), productId: randomUUID(), productName: 'p', optionName: 'o', unitPrice: 1000, quantity: 1 }], cartLines: [] };
    },
    async reserveStock({ orderId }: { orderId: string }) {
      called(orderId, 'reserveStock');
      if (script(orderId).refuseReservation) {
        throw ApplicationFailure.create({ type: 'OUT_OF_STOCK', message: 'sold out', nonRetryable: true, details: [{ orderId }] });
      }
      return { moved: true };
    },
    async recordOrder({ orderId, reservationExpiresAt }: { orderId: string; reservationExpiresAt: string }) {
      called(orderId, 'recordOrder');
      expiries.set(orderId, reservationExpiresAt);
      return summary(orderId, 'PENDING_PAYMENT', reservationExpiresAt);
    },
    async closeUnpaidOrder({ orderId, to }: { orderId: string; to: 'EXPIRED' | 'CANCELLED' }) {
      called(orderId, `closeUnpaidOrder:${to}`);
      await script(orderId).closeGate;
      return summary(orderId, to, expiries.get(orderId)!);
    },
    async recordPaymentAttempt({ orderId }: { orderId: string }) {
      called(orderId, 'recordPaymentAttempt');
    },
    async chargePayment({ orderId }: { orderId: string }) {
      called(orderId, 'chargePayment');
      const { charge = 'approve', chargeGate } = script(orderId);
      await chargeGate;
      if (charge === 'fail') throw fail('the gateway refused the charge');
      if (charge === 'decline') return { outcome: 'DECLINED', code: 'CARD_DECLINED', message: 'insufficient funds' };
      return { outcome: 'APPROVED', paymentKey: `pay-${orderId}`, approvedAt: new Date().toISOString() };
    },
    async confirmStock(orderId: string) {
      called(orderId, 'confirmStock');
      if (script(orderId).failConfirm) throw fail('the stock could not be confirmed');
      return { moved: true };
    },
    async markOrderPaid({ orderId }: { orderId: string }) {
      called(orderId, 'markOrderPaid');
      return summary(orderId, 'COMPLETED', expiries.get(orderId)!);
    },
    async markOrderFailed({ orderId }: { orderId: string }) {
      called(orderId, 'markOrderFailed');
      return summary(orderId, 'FAILED', expiries.get(orderId)!);
    },
    async setNeedsAttention({ orderId, value }: { orderId: string; value: boolean }) {
      called(orderId, `setNeedsAttention:${value}`);
    },
    async releaseStock(orderId: string) {
      called(orderId, 'releaseStock');
      const s = script(orderId);
      if (s.releaseFailures) {
        s.releaseFailures -= 1;
        throw new Error('the database is away');
      }
      return { moved: true };
    },
    async returnStock(orderId: string) {
      called(orderId, 'returnStock');
      return { moved: true };
    },
    async refundPayments({ orderId }: { orderId: string }) {
      called(orderId, 'refundPayments');
      return { refunded: [] };
    },
    async restoreCoupon({ orderId }: { orderId: string }) {
      called(orderId, 'restoreCoupon');
      return { restored: true };
    },
  };
}

const PLACED = ['findOrder', 'reserveStock', 'recordOrder'];

describe('the order workflows, activities faked', () => {
  const world: World = { scripts: new Map(), calls: new Map() };
  const taskQueue = `order-workflows-${randomUUID()}`;
  let client: Client;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const started = await startBareWorker({ taskQueue, workflowBundle: { codePath: testEnvironment().workflowBundlePath }, activities: fakeActivities(world) });
    client = started.client;
    stop = started.stop;
  });
  afterAll(() => stop?.());

  /** Starts an order's workflow and waits for its placement answer. */
  async function place(script: Script = {}, options: { coupon?: boolean; reservationTtlMs?: number; workflowTaskTimeout?: Duration } = {}) {
    const orderId = randomUUID();
    world.scripts.set(orderId, script);
    const input: PlaceOrderInput = {
      orderId,
      userId: randomUUID(),
      idempotencyKey: orderId,
      requestHash: 'hash',
      items: [{ optionId: randomUUID(), quantity: 1 }],
      fromCart: false,
      userCouponId: options.coupon === false ? null : randomUUID(),
      reservationTtlMs: options.reservationTtlMs ?? 60_000,
      compensationTimings: { retryMs: 5, pauseMs: 10 },
    };
    const workflowId = `order-test:${orderId}`;
    const placement = await client.workflow.executeUpdateWithStart(placementUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation<typeof placeOrder>('placeOrder', {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        workflowTaskTimeout: options.workflowTaskTimeout,
      }),
    });
    const handle = client.workflow.getHandle<typeof placeOrder>(workflowId);
    const pay = (key = randomUUID()) => handle.executeUpdate(payUpdate, { args: [{ cardToken: 'tok_visa', requestKey: key }] });
    const cancel = () => handle.executeUpdate(cancelUpdate);
    const calls = () => world.calls.get(orderId) ?? [];
    return { orderId, placement, handle, pay, cancel, calls };
  }

  const gate = () => {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    return { promise, open };
  };

  it('places, pays, confirms and completes: the happy path asks for each step once', async () => {
    const order = await place();
    expect(order.placement).toMatchObject({ kind: 'placed', order: { status: 'PENDING_PAYMENT' } });
    await expect(order.pay()).resolves.toMatchObject({ kind: 'paid', payment: { status: 'COMPLETED', amount: 900 } });
    await order.handle.result();
    expect(order.calls()).toEqual([...PLACED, 'recordPaymentAttempt', 'chargePayment', 'confirmStock', 'markOrderPaid']);
  });

  it('refuses a placement the stock cannot serve, and ends', async () => {
    const order = await place({ refuseReservation: true });
    expect(order.placement).toMatchObject({ kind: 'refused', refusal: { code: 'OUT_OF_STOCK' } });
    await expect(order.handle.result()).resolves.toMatchObject({ kind: 'refused' });
    expect(order.calls()).toEqual(['findOrder', 'reserveStock']);
  });

  it('expires when its reservation ends: closes unpaid, gives back its stock, then its coupon', async () => {
    const order = await place({}, { reservationTtlMs: 200 });
    await order.handle.result();
    expect(order.calls()).toEqual([...PLACED, 'closeUnpaidOrder:EXPIRED', 'releaseStock', 'restoreCoupon']);
  });

  it('refuses a payment that arrives once the reservation has ended, while the expiry runs', async () => {
    const closing = gate();
    // An update reaches a workflow whose local activity runs when its workflow task is
    // renewed, at most every 80% of the task timeout: a short one keeps this case quick.
    const order = await place({ closeGate: closing.promise }, { reservationTtlMs: 200, workflowTaskTimeout: '1 second' });
    while (!order.calls().includes('closeUnpaidOrder:EXPIRED')) await new Promise((r) => setTimeout(r, 20));
    await expect(order.pay()).resolves.toEqual({
      kind: 'refused',
      refusal: { code: 'ORDER_NOT_PAYABLE', message: 'the reservation has expired', details: { orderId: order.orderId, status: 'EXPIRED' } },
    });
    closing.open();
    await order.handle.result();
    expect(order.calls()).not.toContain('chargePayment');
  });

  it('cancels an unpaid order and answers once its stock and coupon are back', async () => {
    const order = await place();
    await expect(order.cancel()).resolves.toMatchObject({ kind: 'cancelled', order: { status: 'CANCELLED' } });
    expect(order.calls()).toEqual([...PLACED, 'closeUnpaidOrder:CANCELLED', 'releaseStock', 'restoreCoupon']);
    await expect(order.handle.result()).resolves.toMatchObject({ kind: 'placed' });
  });

  it('refuses a cancellation and a second payment while a payment runs; the payment completes', async () => {
    const charging = gate();
    const order = await place({ chargeGate: charging.promise });
    const paying = order.pay();
    while (!order.calls().includes('chargePayment')) await new Promise((r) => setTimeout(r, 20));
    await expect(order.cancel()).resolves.toEqual({
      kind: 'refused',
      refusal: { code: 'ORDER_NOT_CANCELLABLE', message: 'a payment is in progress', details: { orderId: order.orderId, status: 'PENDING_PAYMENT' } },
    });
    await expect(order.pay()).resolves.toMatchObject({ kind: 'busy', refusal: { code: 'PAYMENT_IN_PROGRESS' } });
    charging.open();
    await expect(paying).resolves.toMatchObject({ kind: 'paid' });
    expect(order.calls().filter((c) => c.startsWith('closeUnpaidOrder'))).toEqual([]);
  });

  it('keeps a declined order waiting for payment; the next attempt pays it', async () => {
    const order = await place({ charge: 'decline' });
    await expect(order.pay()).resolves.toMatchObject({ kind: 'declined', refusal: { code: 'PAYMENT_DECLINED' } });
    world.scripts.set(order.orderId, { charge: 'approve' });
    await expect(order.pay()).resolves.toMatchObject({ kind: 'paid' });
    expect(order.calls()).toEqual([...PLACED, 'recordPaymentAttempt', 'chargePayment', 'recordPaymentAttempt', 'chargePayment', 'confirmStock', 'markOrderPaid']);
  });

  it('a failed charge is refunded (it may have happened), then the reservation and the coupon go back', async () => {
    const order = await place({ charge: 'fail' });
    await expect(order.pay()).resolves.toMatchObject({ kind: 'failed', refusal: { code: 'ORDER_FAILED' } });
    expect(order.calls().slice(PLACED.length)).toEqual([
      'recordPaymentAttempt',
      'chargePayment',
      'refundPayments',
      'releaseStock',
      'restoreCoupon',
      'markOrderFailed',
    ]);
  });

  it('without a coupon there is none to give back', async () => {
    const order = await place({ charge: 'fail' }, { coupon: false });
    await expect(order.pay()).resolves.toMatchObject({ kind: 'failed' });
    expect(order.calls().slice(PLACED.length)).toEqual(['recordPaymentAttempt', 'chargePayment', 'refundPayments', 'releaseStock', 'markOrderFailed']);
  });

  it('a failed stock confirmation returns the stock before refunding', async () => {
    const order = await place({ failConfirm: true });
    await expect(order.pay()).resolves.toMatchObject({ kind: 'failed' });
    expect(order.calls().slice(PLACED.length)).toEqual([
      'recordPaymentAttempt',
      'chargePayment',
      'confirmStock',
      'returnStock',
      'refundPayments',
      'releaseStock',
      'restoreCoupon',
      'markOrderFailed',
    ]);
  });

  it('a compensation that keeps failing raises NeedsAttention until a later round succeeds', async () => {
    // A round is 3 attempts: 4 failures fail the first round and the first try of the next.
    const order = await place({ charge: 'fail', releaseFailures: 4 });
    await expect(order.pay()).resolves.toMatchObject({ kind: 'failed' });
    const tail = order.calls().slice(PLACED.length + 2);
    expect(tail).toEqual([
      'refundPayments',
      'releaseStock',
      'releaseStock',
      'releaseStock',
      'setNeedsAttention:true',
      'releaseStock',
      'releaseStock',
      'restoreCoupon',
      'setNeedsAttention:false',
      'markOrderFailed',
    ]);
    const saga = client.workflow.getHandle(completeOrderWorkflowId(order.orderId, 1));
    const progress = await saga.query(sagaProgressQuery);
    expect(progress.compensations.find((c) => c.name === 'releaseStock')).toEqual({ name: 'releaseStock', state: 'DONE', failedRounds: 1 });
    expect(progress.needsAttention).toBe(false);
    const described = await saga.describe();
    expect(described.typedSearchAttributes.get(NeedsAttentionAttribute)).toBe(false);
  });

  it('a saga that ends without compensating (terminated) is compensated in full by the order', async () => {
    const charging = gate();
    const order = await place({ chargeGate: charging.promise });
    const paying = order.pay();
    while (!order.calls().includes('chargePayment')) await new Promise((r) => setTimeout(r, 20));
    await client.workflow.getHandle(completeOrderWorkflowId(order.orderId, 1)).terminate('an operator ended it');
    await expect(paying).resolves.toMatchObject({ kind: 'failed', refusal: { code: 'ORDER_FAILED' } });
    charging.open();
    await order.handle.result();
    expect(order.calls().slice(PLACED.length + 2)).toEqual(['returnStock', 'refundPayments', 'releaseStock', 'restoreCoupon', 'markOrderFailed']);
  });

  it('the chaos checker names a workflow that failed for no business reason, and passes sagas that compensated', async () => {
    const compensated = await place({ charge: 'fail' });
    await expect(compensated.pay()).resolves.toMatchObject({ kind: 'failed' });
    const order = await place({ breakLookup: true }).catch(() => undefined);
    expect(order).toBeUndefined();
    const broken = [...world.calls.entries()].find(([, calls]) => calls.length === 1 && calls[0] === 'findOrder')![0];
    await client.workflow.getHandle(`order-test:${broken}`).result().catch(() => undefined);
    // Visibility lags the close by a moment.
    let report = await checkWorkflows(client, { taskQueue });
    for (let i = 0; i < 50 && report.violations.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      report = await checkWorkflows(client, { taskQueue });
    }
    expect(report.violations).toEqual([
      { rule: 'workflow-failed-on-purpose', ids: { workflowId: `order-test:${broken}`, runId: expect.any(String) }, detail: expect.stringContaining('placeOrder failed') },
    ]);
    // The saga that compensated (ORDER_FAILED) is Failed too, and not named.
    expect(report.failed).toBeGreaterThanOrEqual(2);
  });
});
