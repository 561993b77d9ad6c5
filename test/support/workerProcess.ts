import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { testEnvironment } from './environment';
import { untilReady } from './readyBanner';
import { startTestStack, type TestStack, type TestStackOptions } from './stack';

const repoRoot = path.resolve(__dirname, '../..');

export interface LaunchedWorker {
  child: ChildProcess;
  /** Where it serves its metrics, as its banner names it. */
  metricsUrl: string;
  output: () => string;
}

/** `npm start worker` as its own process group, so a SIGKILL takes it down like a crash. */
export async function launchWorker(taskQueue: string, extraEnv: Record<string, string> = {}): Promise<LaunchedWorker> {
  const launched = await launchRole('worker', { TEMPORAL_TASK_QUEUE: taskQueue, ...extraEnv });
  const metricsUrl = /Worker metrics\s+(http\S+)/.exec(launched.output())?.[1];
  if (!metricsUrl) throw new Error(`the worker's banner names no metrics URL:\n${launched.output()}`);
  return { ...launched, metricsUrl };
}

/**
 * `npm start <role>` as its own process group against the suite's PostgreSQL, Temporal
 * and gateway; resolves once its banner says ready.
 */
export async function launchRole(role: 'api' | 'worker', extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; output: () => string }> {
  const env = testEnvironment();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `order-platform-${role}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts', role], {
    cwd: repoRoot,
    detached: true,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: env.databaseUrl,
      TEMPORAL_ADDRESS: env.temporalAddress,
      PAYMENT_GATEWAY_URL: env.paymentGatewayUrl,
      DATA_PLATFORM_URL: env.dataPlatformUrl,
      // Several may run at once: each picks free metrics ports and names them in its banner.
      WORKER_METRICS_PORT: '0',
      API_METRICS_PORT: '0',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const started = untilReady(child, `the ${role}`);
  await started.ready;
  return { child, output: started.output };
}

/** Kills a launched worker's whole process group at once, as a crash would. */
export function killWorker(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
}

/**
 * For a test file that kills workers: a stack with no worker of its own (started before
 * the file's tests, stopped after), and `launch()` for worker processes it may SIGKILL;
 * any still alive at the end are killed.
 */
export function stackWithWorkerProcesses(options: { resultTimeoutMs: number } & Omit<TestStackOptions, 'withWorker'>) {
  const workers: ChildProcess[] = [];
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startTestStack({ ...options, withWorker: false });
  });
  afterAll(async () => {
    for (const w of workers) killWorker(w);
    await stack?.stop();
  });
  return {
    get stack(): TestStack {
      if (!stack) throw new Error('the stack starts in beforeAll');
      return stack;
    },
    async launch(): Promise<ChildProcess> {
      return (await this.launchWorker()).child;
    },
    async launchWorker(): Promise<LaunchedWorker> {
      const launched = await launchWorker(this.stack.taskQueue);
      workers.push(launched.child);
      return launched;
    },
  };
}
