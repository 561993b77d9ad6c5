import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { adminToken, customerMaker } from '../bench/lib/customers';
import { createHttp, type Http } from '../bench/lib/http';
import { benchPlatform, type BenchPlatform } from '../bench/lib/platform';
import type { ReconciliationReport, SweepReport } from '../src/contracts/maintenance';
import { releaseOrphanWorkflowId } from '../src/contracts/workflowIds';
import { createDb } from '../src/db/knex';
import { createProductRepository } from '../src/db/repositories/products';
import { connectClient } from '../src/temporal/client';
import { checkClientView } from './clientView';
import { checkInvariants, type InvariantReport, type Violation } from './invariants';
import { planKills, seededRandom, type KillTarget, type PlannedKill, type SeededRandom } from './killPlan';
import { serviceProcess } from './processTree';
import { settle, shop, type Exchange } from './shopper';

export interface ChaosOptions {
  minutes: number;
  seed: number;
  kills: number;
  /** Customers shopping at once. */
  shoppers: number;
  /** Units of each of the hot options. */
  stock: number;
  /** Where the JSON result goes. */
  out: string;
}

/**
 * The platform's settings for a run: short reservations (unpaid orders expire during the
 * load), answers that give up waiting quickly (clients repeat), a gateway with random
 * failures and latency whose outages payments wait out for 20 s and whose silences for
 * 30 s (production: 5 and 10 minutes), and schedules that stay out of the way (the run
 * triggers the maintenance itself, at the end).
 */
const PLATFORM_SETTINGS = {
  ORDER_RESERVATION_TTL_MS: '20000',
  WORKFLOW_RESULT_TIMEOUT_MS: '5000',
  GATEWAY_FAILURE_RATE: '0.03',
  GATEWAY_LATENCY_MS: '5-50',
  PAYMENT_GATEWAY_TIMEOUT_MS: '3000',
  GATEWAY_OUTAGE_BUDGET_SECONDS: '20',
  GATEWAY_UNKNOWN_OUTCOME_BUDGET_SECONDS: '30',
  RECONCILIATION_INTERVAL_SECONDS: '86400',
  SWEEPER_INTERVAL_SECONDS: '86400',
};
const TASK_QUEUE = 'order-platform';
const GIVE_UP_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

export interface KillRecord {
  atMs: number;
  target: KillTarget;
  pid: number;
  /** From the kill until the target served again. */
  downMs: number;
}

export interface ChaosResult {
  options: ChaosOptions;
  platform: Record<string, unknown>;
  settings: typeof PLATFORM_SETTINGS;
  plannedKills: PlannedKill[];
  kills: KillRecord[];
  killsByTarget: Record<string, number>;
  requests: { exchanges: number; attempts: number; repeated: number; gaveUpDuringLoad: number; byKind: Record<string, number>; answers: Record<string, number> };
  faultsInjected: { cardTokens: Record<string, number>; gatewayFailureRate: number; gatewayLatencyMs: string };
  orders: Record<string, number>;
  quiescence: { waitedMs: number; stillRunning: number };
  maintenance: { refunded: number; flagged: number; released: number };
  invariants: InvariantReport;
  clientView: { violations: Violation[]; asked: number };
  violations: number;
  durationMs: number;
}

/**
 * `npm run chaos -- run`: starts the stack on free ports (PostgreSQL, the Temporal dev
 * server and the gateway simulator in this process, supervised as `npm start` does; the
 * worker and the API as processes of their own, as in production), runs a checkout load
 * of shoppers who repeat failed requests with the same key, and on a seeded schedule
 * SIGKILLs the worker, the API, the Temporal dev server or the gateway, sometimes two
 * together; the roles are started again by this harness, as an orchestrator would, the
 * services by their supervisor. Then it waits for the workflows to go quiet, runs the
 * reconciliation and the sweeper once, and checks the books (./invariants.ts) and the
 * clients' view of them (./clientView.ts).
 */
export async function runChaos(options: ChaosOptions, progress: (line: string) => void): Promise<ChaosResult> {
  const began = Date.now();
  // Its own PostgreSQL and Temporal, always: the checker reads the whole database, and
  // the dev server it kills must be its own.
  for (const name of ['API_URL', 'DATABASE_URL', 'TEMPORAL_ADDRESS']) delete process.env[name];
  Object.assign(process.env, PLATFORM_SETTINGS, { LOG_LEVEL: process.env.LOG_LEVEL ?? 'fatal', TEMPORAL_TASK_QUEUE: TASK_QUEUE });
  const random = seededRandom(options.seed);
  const platform = await benchPlatform({ temporal: 'dev' }, { apis: 1 });
  const db = createDb({ url: platform.platformDatabaseUrl, poolMax: 8 });
  const temporal = await connectClient({ address: platform.temporalAddress, namespace: platform.temporalNamespace });
  const http = createHttp(platform.apiUrls, 256, 30_000);
  // Interrupted, it still takes down the stack it started (its processes would outlive it).
  const interrupted = () => void platform.stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const shopFloor = await setUpShop(platform, http, db, options);
    progress(`shop ready: ${shopFloor.optionIds.length} options of ${options.stock} units, ${shopFloor.couponIds.length} coupons, ${shopFloor.tokens.length} customers`);
    progress(`API ${platform.apiUrls.join(', ')}; Temporal ${platform.temporalAddress}; gateway ${platform.paymentGatewayUrl}; PostgreSQL ${platform.platformDatabaseUrl}`);

    const exchanges: Exchange[] = [];
    const cardTokens: Record<string, number> = {};
    const durationMs = options.minutes * 60_000;
    const plannedKills = planKills(random, options.kills, durationMs);
    const loadStarted = Date.now();
    const since = () => Date.now() - loadStarted;
    const stamp = () => `[t+${(since() / 1000).toFixed(1)}s]`;

    const ticker = setInterval(() => {
      const answered = exchanges.filter((e) => e.answer && e.answer.status < 300);
      progress(`${stamp()} ${exchanges.length} requests settled (${answered.length} 2xx), ${exchanges.filter((e) => e.gaveUp).length} given up`);
    }, 10_000);
    const [, kills] = await Promise.all([
      runLoad({ http, random, shopFloor, exchanges, cardTokens, until: loadStarted + durationMs, shoppers: options.shoppers }),
      runKills(plannedKills, { platform, temporal: temporal.client, since, log: (line) => progress(`${stamp()} ${line}`) }),
    ]).finally(() => clearInterval(ticker));
    const gaveUpDuringLoad = exchanges.filter((e) => e.gaveUp).length;
    progress(`${stamp()} load over; asking again the ${gaveUpDuringLoad} requests whose clients gave up`);
    await Promise.all(exchanges.filter((e) => e.gaveUp).map((e) => settle(http, e, GIVE_UP_MS * 2)));

    const quiet = await quiescence(temporal.client, Number(PLATFORM_SETTINGS.ORDER_RESERVATION_TTL_MS) + Number(PLATFORM_SETTINGS.GATEWAY_UNKNOWN_OUTCOME_BUDGET_SECONDS) * 1000 + 180_000);
    progress(`${stamp()} quiet after ${quiet.waitedMs} ms (${quiet.stillRunning} workflows still running)`);
    const maintenance = await runMaintenance(temporal.client, Date.now() - began + 60_000);
    progress(`${stamp()} maintenance: ${maintenance.refunded} refunded, ${maintenance.flagged} flagged, ${maintenance.released} orphaned holds released`);

    const invariants = await checkInvariants({ db, client: temporal.client, taskQueue: TASK_QUEUE, pendingGraceMs: 60_000 });
    const clientView = await checkClientView({ db, http, giveUpMs: GIVE_UP_MS, concurrency: 16 }, exchanges);
    const violations = invariants.violations.length + clientView.violations.length + (quiet.stillRunning > 0 ? 1 : 0);

    const result: ChaosResult = {
      options,
      platform: platform.topology,
      settings: PLATFORM_SETTINGS,
      plannedKills,
      kills,
      killsByTarget: countBy(kills.map((k) => k.target)),
      requests: {
        exchanges: exchanges.length,
        attempts: exchanges.reduce((sum, e) => sum + e.attempts, 0),
        repeated: exchanges.filter((e) => e.attempts > 1).length,
        gaveUpDuringLoad,
        byKind: countBy(exchanges.map((e) => e.kind)),
        answers: countBy(exchanges.map((e) => (e.answer ? `${e.kind} ${e.answer.status}${e.answer.status >= 400 ? ` ${e.answer.body?.error?.code}` : ''}` : `${e.kind} none`))),
      },
      faultsInjected: { cardTokens, gatewayFailureRate: Number(PLATFORM_SETTINGS.GATEWAY_FAILURE_RATE), gatewayLatencyMs: PLATFORM_SETTINGS.GATEWAY_LATENCY_MS },
      orders: Object.fromEntries((await db('orders').groupBy('status').select('status', db.raw('count(*)::int as n'))).map((r: any) => [r.status, r.n])),
      quiescence: quiet,
      maintenance,
      invariants,
      clientView,
      violations,
      durationMs: Date.now() - began,
    };
    await fs.mkdir(path.dirname(options.out), { recursive: true });
    await fs.writeFile(options.out, JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await http.close();
    await temporal.connection.close();
    await db.destroy();
    await platform.stop();
  }
}

interface ShopFloor {
  optionIds: string[];
  couponIds: string[];
  tokens: string[];
}

/** Four hot options of one product, three coupons of limited quantity, and many customers. */
async function setUpShop(platform: BenchPlatform, http: Http, db: ReturnType<typeof createDb>, options: ChaosOptions): Promise<ShopFloor> {
  const product = await createProductRepository(db).insert({
    name: `chaos ${options.seed}`,
    description: null,
    price: 1000,
    category: 'chaos',
    imageUrl: null,
    options: ['S', 'M', 'L', 'XL'].map((name) => ({ type: 'SIZE', name, additionalPrice: 0, stock: options.stock })),
  });
  const admin = await adminToken(http);
  const couponIds: string[] = [];
  for (let i = 0; i < 3; i++) {
    const created = await http.call('POST', '/api/v1/admin/coupons', {
      token: admin,
      body: {
        name: `chaos ${i}`,
        discountType: 'FIXED',
        discountValue: 100 * (i + 1),
        minOrderAmount: 0,
        totalQuantity: 25,
        validFrom: new Date(Date.now() - 60_000).toISOString(),
        validUntil: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    if (created.status !== 201) throw new Error(`coupon creation failed: ${created.status} ${JSON.stringify(created.body)}`);
    couponIds.push(created.body.id);
  }
  const tokens = await customerMaker(http, platform)(Math.max(options.shoppers * 20, 200));
  return { optionIds: product.options.map((o) => o.id), couponIds, tokens };
}

/** `shoppers` customers at a time, each visit by a customer of its own, until the load's end. */
async function runLoad(deps: {
  http: Http;
  random: SeededRandom;
  shopFloor: ShopFloor;
  exchanges: Exchange[];
  cardTokens: Record<string, number>;
  until: number;
  shoppers: number;
}): Promise<void> {
  let next = 0;
  const context = {
    http: deps.http,
    random: deps.random,
    optionIds: deps.shopFloor.optionIds,
    couponIds: deps.shopFloor.couponIds,
    giveUpMs: GIVE_UP_MS,
    record: (exchange: Exchange) => deps.exchanges.push(exchange),
    paidWith: (token: string) => {
      deps.cardTokens[token] = (deps.cardTokens[token] ?? 0) + 1;
    },
  };
  await Promise.all(
    Array.from({ length: deps.shoppers }, async () => {
      while (Date.now() < deps.until) {
        const token = deps.shopFloor.tokens[next++ % deps.shopFloor.tokens.length];
        await shop(context, token);
      }
    }),
  );
}

/** Carries out the plan: each kill at its time (later if its target is still coming back), and waits for the target to serve again. */
async function runKills(
  plan: PlannedKill[],
  deps: { platform: BenchPlatform; temporal: Client; since: () => number; log: (line: string) => void },
): Promise<KillRecord[]> {
  const records: KillRecord[] = [];
  for (const planned of plan) {
    const wait = planned.atMs - deps.since();
    if (wait > 0) await sleep(wait);
    const done = await Promise.all(planned.targets.map((target) => killAndRecover(target, deps)));
    records.push(...done);
    deps.log(done.map((k) => `killed ${k.target} (pid ${k.pid}); serving again after ${(k.downMs / 1000).toFixed(1)} s`).join('; '));
  }
  return records;
}

async function killAndRecover(target: KillTarget, deps: { platform: BenchPlatform; temporal: Client; since: () => number }): Promise<KillRecord> {
  const atMs = deps.since();
  const killedAt = Date.now();
  if (target === 'worker' || target === 'api') {
    const slot = deps.platform.roles!.find((r) => r.role === target)!;
    const pid = slot.pid();
    await slot.kill();
    // An orchestrator notices and starts it again after a moment.
    await sleep(500 + Math.round(Math.random() * 1500));
    await slot.relaunch();
    return { atMs, target, pid, downMs: Date.now() - killedAt };
  }
  const pid = serviceProcess(process.pid, target);
  if (pid === undefined) throw new Error(`no ${target} process below this one`);
  process.kill(pid, 'SIGKILL');
  // Its supervisor starts it again on the same data and port.
  await until(`${target} to come back`, async () => (serviceProcess(process.pid, target) ?? pid) !== pid || undefined, 120_000);
  if (target === 'gateway') {
    await until('the gateway to answer', async () => (await fetch(`${deps.platform.paymentGatewayUrl}/healthz`)).ok || undefined, 120_000);
  } else {
    await until('Temporal to answer', async () => {
      await deps.temporal.workflow.count();
      return true;
    }, 120_000);
  }
  return { atMs, target, pid, downMs: Date.now() - killedAt };
}

/**
 * Waits until no order, saga or maintenance workflow runs (the coupon issuers, which
 * wait for claims, are left running), for at most `timeoutMs`.
 */
async function quiescence(client: Client, timeoutMs: number): Promise<{ waitedMs: number; stillRunning: number }> {
  const started = Date.now();
  const query = `TaskQueue = "${TASK_QUEUE}" AND ExecutionStatus = "Running" AND WorkflowType != "couponIssuer"`;
  let running = Infinity;
  while (Date.now() - started < timeoutMs) {
    running = await client.workflow.count(query).then((c) => c.count, () => Infinity);
    if (running === 0) break;
    await sleep(1_000);
  }
  return { waitedMs: Date.now() - started, stillRunning: Number.isFinite(running) ? running : -1 };
}

/** One reconciliation and one sweep, as their Schedules would run them, and the releases they start. */
async function runMaintenance(client: Client, lookbackMs: number): Promise<{ refunded: number; flagged: number; released: number }> {
  const reconciled = await client.workflow.execute<(input: { lookbackMs: number }) => Promise<ReconciliationReport>>('reconcilePayments', {
    taskQueue: TASK_QUEUE,
    workflowId: `chaos-reconcile-${randomUUID()}`,
    args: [{ lookbackMs }],
  });
  const swept = await client.workflow.execute<(input: { graceMs: number; limit: number }) => Promise<SweepReport>>('sweepOrphanedHolds', {
    taskQueue: TASK_QUEUE,
    workflowId: `chaos-sweep-${randomUUID()}`,
    args: [{ graceMs: 1_000, limit: 10_000 }],
  });
  await Promise.all(swept.released.map((orderId) => client.workflow.getHandle(releaseOrphanWorkflowId(orderId)).result()));
  return { refunded: reconciled.refunded.length, flagged: reconciled.flagged.length, released: swept.released.length };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
