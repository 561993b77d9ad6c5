import { fork } from 'node:child_process';
import { nodeModuleCommand } from '../../src/platform/nodeModuleCommand';

export interface LoginFloodSettings {
  apiUrls: string[];
  /** Logins in flight at once. */
  concurrency: number;
  /** Each login from an address of its own (X-Forwarded-For) rather than all from one. */
  spreadAddresses: boolean;
}

export interface LoginFloodReport {
  requests: number;
  /** How many got each status; 0 is a client-side timeout or reset. */
  answers: Record<string, number>;
}

export interface RunningLoginFlood {
  /** Ends the flood once its requests in flight are answered, and reports them. */
  stop(): Promise<LoginFloodReport>;
}

/**
 * A login flood from a process of its own. An attacker's requests come from elsewhere:
 * generated in the harness process, they would share its event loop with the checkouts
 * it times, and the measurement would count the flood's own JSON parsing and sockets as
 * checkout latency. Resolves once the flood is running.
 */
export async function startLoginFlood(settings: LoginFloodSettings): Promise<RunningLoginFlood> {
  const { modulePath, execArgv, cwd } = nodeModuleCommand(__filename, __dirname, 'loginFloodChild');
  const child = fork(modulePath, [JSON.stringify(settings)], { cwd, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code, signal) => reject(new Error(`the login flood exited (${signal ?? code}) before it started`)));
  });
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || !child.connected) {
        throw new Error(`the login flood ended (${child.signalCode ?? child.exitCode}) before it was stopped`);
      }
      const report = new Promise<LoginFloodReport>((resolve, reject) => {
        child.once('message', (message: LoginFloodReport) => resolve(message));
        child.once('exit', (code, signal) => reject(new Error(`the login flood exited (${signal ?? code}) without a report`)));
        child.once('error', reject);
      });
      child.send('stop');
      const result = await report;
      await exited;
      return result;
    },
  };
}

