import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import { customSearchAttributes } from './searchAttributes';
import { temporalServerSettings } from './serverSettings';
import type { ProcessExit } from '../dev/processExit';

export interface DevServerOptions {
  cliPath: string;
  port: number;
  /** Omit for a headless server (tests). */
  uiPort?: number;
  /** SQLite file that keeps workflows across restarts; omit for an in-memory server. */
  dbFile?: string;
  namespace: string;
  /** Where the server's own log lines go (it is chatty). */
  logFile: string;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
  /** Settles when the server's process has exited, asked to or not. */
  exited: Promise<ProcessExit>;
}

const searchAttributeTypeName: Record<string, string> = {
  KEYWORD: 'Keyword',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

export function devServerArgs(options: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'warn'];
  args.push(...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]));
  if (options.dbFile) {
    // WAL with synchronous=FULL: every committed write is on disk before the server
    // answers, so a power loss loses nothing a client was told happened (NORMAL would
    // survive a process crash only). It costs 5-10% of a rush (docs/benchmarks.md).
    args.push('--db-filename', options.dbFile);
    args.push('--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=FULL');
  }
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const setting of temporalServerSettings) args.push('--dynamic-config-value', `${setting.key}=${setting.value}`);
  for (const key of customSearchAttributes) {
    args.push('--search-attribute', `${key.name}=${searchAttributeTypeName[key.type]}`);
  }
  return args;
}

/** Resolves once the frontend answers and the namespace exists. */
async function waitUntilServing(address: string, namespace: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`Temporal dev server at ${address} not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

export async function startTemporalDevServer(options: DevServerOptions, timeoutMs = 60_000): Promise<DevServer> {
  const log = fs.openSync(options.logFile, 'a');
  const child = spawn(options.cliPath, devServerArgs(options), { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const address = `127.0.0.1:${options.port}`;

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // The server flushes SQLite on SIGTERM; give it time, then insist.
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await waitUntilServing(address, options.namespace, child, timeoutMs);
  } catch (error) {
    await stop();
    const tail = fs.existsSync(options.logFile) ? fs.readFileSync(options.logFile, 'utf8').slice(-2000) : '';
    throw new Error(`${(error as Error).message}\n--- ${options.logFile} ---\n${tail}`);
  }
  return {
    address,
    uiUrl: options.uiPort === undefined ? undefined : `http://127.0.0.1:${options.uiPort}`,
    stop,
    exited,
  };
}
