import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { UnixAccount } from './postgresAccount';
import type { PostgresBinaries } from './postgresBinaries';
import { runCommand } from './runCommand';
import type { ProcessExit } from './processExit';

export interface ClusterOptions {
  binaries: PostgresBinaries;
  dataDir: string;
  runAs: UnixAccount | undefined;
  superuser: string;
  password: string;
  log: (line: string) => void;
}

/**
 * As the server's account, from `/` (the caller's folder may be closed to that account),
 * with messages in English whatever the locale: readiness is read from them.
 */
const spawnAs = (runAs: UnixAccount | undefined) => ({
  ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  cwd: '/',
  env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
});

/** `initdb` into an empty `dataDir`, owned by the account the server runs as. */
export async function initCluster(options: ClusterOptions): Promise<void> {
  const { dataDir, runAs } = options;
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (runAs) await fs.chown(dataDir, runAs.uid, runAs.gid);
  // initdb reads the superuser's password from a file only its account can read, kept
  // beside the data folder (which that account can reach) rather than in a shared /tmp.
  const passwordFile = path.join(path.dirname(dataDir), `.pg-password-${process.pid}`);
  await fs.writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 });
  try {
    if (runAs) await fs.chown(passwordFile, runAs.uid, runAs.gid);
    const { code, output } = await runCommand(
      options.binaries.initdb,
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${options.superuser}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'],
      spawnAs(runAs),
    );
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output.trim()}`);
    options.log(output.trim());
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

export interface RunningServer {
  process: ChildProcess;
  isRunning(): boolean;
  /** Fast shutdown (SIGINT), then waits for the server to exit. */
  stop(): Promise<void>;
  /** Settles when the server's process has exited, asked to or not. */
  exited: Promise<ProcessExit>;
}

/** Starts `postgres` on `port` and resolves once it accepts connections. */
export function startServer(options: {
  binaries: PostgresBinaries;
  dataDir: string;
  port: number;
  runAs: UnixAccount | undefined;
  flags: string[];
  log: (line: string) => void;
}): Promise<RunningServer> {
  const child = spawn(options.binaries.postgres, ['-D', options.dataDir, '-p', String(options.port), ...options.flags], {
    ...spawnAs(options.runAs),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const server: RunningServer = {
    process: child,
    isRunning,
    exited,
    stop: async () => {
      if (isRunning()) child.kill('SIGINT');
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const onOutput = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        options.log(line.trim());
        if (line.includes('database system is ready to accept connections')) resolve(server);
      }
    };
    child.stdout!.on('data', onOutput);
    child.stderr!.on('data', onOutput);
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`postgres exited before it was ready (${signal ?? `exit ${code}`})`)));
  });
}
