import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');
const READY_LINE = 'Order platform is ready';
const STOP_GRACE_MS = 15_000;

export interface RoleProcess {
  role: 'api' | 'worker';
  pid: number;
  stop(): Promise<void>;
  /** SIGKILL, as a crash or an OOM killer ends it: no shutdown at all. */
  kill(): Promise<void>;
}

/**
 * `npm start -- api` or `npm start -- worker` as a process of its own, as the containers
 * in docker-compose.yml run them, against services given in `env` (DATABASE_URL,
 * TEMPORAL_ADDRESS, PAYMENT_GATEWAY_URL, JWT_SECRET...). Resolves once it prints its
 * ready banner; stop() sends SIGTERM (an ordered shutdown) and SIGKILL after a grace,
 * kill() SIGKILL at once.
 * ROLE_NODE_ARGS adds Node options to each (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`,
 * which NODE_OPTIONS refuses): how a role is profiled under load.
 */
export async function launchRole(role: 'api' | 'worker', env: Record<string, string>): Promise<RoleProcess> {
  const nodeArgs = (process.env.ROLE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli/start.ts', role], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) {
        // Keep draining its output so a chatty process never blocks on a full pipe.
        output = '';
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.on('data', (line: Buffer) => process.stderr.write(`[${role} ${child.pid}] ${line}`));
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`the ${role} process exited (${code ?? signal}) before it was ready:\n${output}`)));
  });
  return {
    role,
    pid: child.pid!,
    async stop() {
      await stopChild(child, exited);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(killer);
}
