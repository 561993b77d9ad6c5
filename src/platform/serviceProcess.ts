import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { nodeModuleCommand } from './nodeModuleCommand';
import { assertPortFree, reachableUrl } from './ports';
import type { ProcessExit } from '../dev/processExit';

export interface ServiceProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Settles when the service's process has exited, asked to or not. */
  exited: Promise<ProcessExit>;
}

export interface ServiceProcessOptions {
  /** Named in errors: "the payment gateway simulator". */
  name: string;
  /** The folder of its `main` module (main.ts from sources, main.js compiled). */
  directory: string;
  /** The setting that moves it, named when its port is taken. */
  portSetting: string;
  host: string;
  port: number;
  /** Its own variables; it reads nothing of the platform's configuration. */
  env: Record<string, string>;
  /** Each line it prints (JSON log events); otherwise only the last few are kept. */
  onLog?: (line: string) => void;
}

const READY_WITHIN_MS = 30_000;
const KILL_AFTER_MS = 5000;
const KEPT_LINES = 30;

/**
 * Runs one of the platform's outside services (the simulators of the payment gateway and
 * of the data platform) as a Node process of its own, as the real one would be another
 * company's service, and resolves once it answers GET /healthz. The IPC channel is only a
 * lifeline: the service exits when it closes, so it never outlives this process.
 */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const { host } = options;
  // Otherwise another service on the port could answer the readiness check for us.
  await assertPortFree(options.port, host, options.portSetting);
  const { modulePath, execArgv, cwd } = nodeModuleCommand(__filename, options.directory, 'main');
  const child = spawn(process.execPath, [...execArgv, modulePath], {
    cwd,
    // Lines for onLog, one event each, whatever the parent's terminal.
    env: { ...process.env, ...options.env, LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });

  // Always drained (a full pipe would block the service), the last lines kept for errors.
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

  const url = reachableUrl(host, options.port);
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
      throw new Error(`${options.name} on ${url} ${problem}; its last output:\n${recent.join('\n')}`);
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
