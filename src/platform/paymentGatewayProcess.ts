import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeModuleCommand } from './nodeModuleCommand';
import { assertPortFree } from './ports';
import type { ProcessExit } from '../dev/processExit';

export interface PaymentGatewayProcessOptions {
  databaseUrl: string;
  host?: string;
  port: number;
  failureRate?: number;
  latencyMs?: [number, number];
  timeoutHangMs?: number;
  logLevel?: string;
  /** Each line the simulator prints (JSON log events); otherwise only the last few are kept. */
  onLog?: (line: string) => void;
}

export interface PaymentGatewayProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Settles when the simulator's process has exited, asked to or not. */
  exited: Promise<ProcessExit>;
}

const READY_WITHIN_MS = 30_000;
const KILL_AFTER_MS = 5000;
const KEPT_LINES = 30;

/**
 * Runs the payment gateway simulator as its own Node process, as a real gateway would be
 * another service, and resolves once it answers GET /healthz. The IPC channel is only a
 * lifeline: the simulator exits when it closes, so it never outlives this process.
 */
export async function startPaymentGatewayProcess(options: PaymentGatewayProcessOptions): Promise<PaymentGatewayProcess> {
  const host = options.host ?? '127.0.0.1';
  const latency = options.latencyMs ?? [0, 0];
  // Otherwise another service on the port could answer the readiness check for us.
  await assertPortFree(options.port, host, 'the gateway port (GATEWAY_PORT)');
  const { modulePath, execArgv, cwd } = nodeModuleCommand(__filename, path.join(__dirname, '..', 'paymentGatewaySimulator'), 'main');
  const child = spawn(process.execPath, [...execArgv, modulePath], {
    cwd,
    env: {
      ...process.env,
      GATEWAY_DATABASE_URL: options.databaseUrl,
      GATEWAY_HOST: host,
      GATEWAY_PORT: String(options.port),
      GATEWAY_FAILURE_RATE: String(options.failureRate ?? 0),
      GATEWAY_LATENCY_MS: latency[0] === latency[1] ? String(latency[0]) : `${latency[0]}-${latency[1]}`,
      GATEWAY_TIMEOUT_HANG_MS: String(options.timeoutHangMs ?? 30_000),
      LOG_LEVEL: options.logLevel ?? 'info',
      // Lines for onLog, one event each, whatever the parent's terminal.
      LOG_FORMAT: 'json',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });

  // Always drained (a full pipe would block the simulator), the last lines kept for errors.
  const recent: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      recent.push(line);
      if (recent.length > KEPT_LINES) recent.shift();
      options.onLog?.(line);
    });
  }
  let spawnFailed = false;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      // Could not be started (or signalled); there may be no exit event to wait for.
      recent.push(String(error));
      spawnFailed = child.pid === undefined;
      if (spawnFailed) resolve({ code: null, signal: null });
    });
  });
  const hasExited = () => spawnFailed || child.exitCode !== null || child.signalCode !== null;

  const stop = async () => {
    if (hasExited()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    await exited;
    clearTimeout(timer);
  };

  // Listening on every interface is reached through loopback.
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${options.port}`;
  const deadline = Date.now() + READY_WITHIN_MS;
  while (!(await answersHealth(url))) {
    const problem = hasExited()
      ? `exited (${child.exitCode ?? child.signalCode}) before it was ready`
      : Date.now() > deadline
        ? `was not ready within ${READY_WITHIN_MS} ms`
        : undefined;
    if (problem) {
      await stop();
      // The exit event can beat the last lines through the pipes.
      await sleep(50);
      throw new Error(`the payment gateway simulator on ${url} ${problem}; its last output:\n${recent.join('\n')}`);
    }
    await sleep(100);
  }
  return { url, pid: child.pid!, stop, exited };
}

async function answersHealth(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
