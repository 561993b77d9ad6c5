import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { runCommand } from '../../src/dev/runCommand';
import { cacheDir, goInstall, isExecutable } from '../../src/temporal/goBuild';
import { freePort, freePortBelow } from '../../src/platform/ports';
import { dynamicConfigYaml, temporalServerSettings } from '../../src/temporal/serverSettings';
import { createThrowawayDatabase } from '../../src/dev/throwawayDatabase';
import { throwawayDatabase, type ThrowawayDatabase } from '../lib/throwawayDatabase';

/**
 * The production topology for the benchmarks: a Temporal server (all four services in
 * one process) persisting to PostgreSQL, with several history shards, instead of the
 * dev server's one shard on one SQLite connection. Built from the Go module proxy like
 * the CLI (`go.temporal.io/server` cmd/server and its SQL tool), schema set up with that
 * tool from the schemas compiled into it, started and stopped by the benchmark.
 *
 * Its PostgreSQL is a throwaway database pair on DATABASE_URL's server, or an embedded
 * PostgreSQL of its own without one (bench/lib/throwawayDatabase.ts).
 */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

export interface TemporalServerSettings {
  historyShards: number;
  /** Connections each persistence store may open (the server's maxConns). */
  maxConns: number;
}

export interface RunningTemporalServer {
  address: string;
  /** Recorded beside every result measured on it. */
  description: Record<string, unknown>;
  stop(): Promise<void>;
}

const serverDir = () => cacheDir('temporal-server', TEMPORAL_SERVER_VERSION);

/** The server and SQL tool binaries, built into the per-user cache on first use. */
export async function temporalServerBinaries(progress: (message: string) => void) {
  const server = path.join(serverDir(), 'temporal-server');
  const sqlTool = path.join(serverDir(), 'temporal-sql-tool');
  if (!(await isExecutable(server)) || !(await isExecutable(sqlTool))) {
    await goInstall({
      packages: [`go.temporal.io/server/cmd/server@${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`],
      targetDir: serverDir(),
      binaries: { server: 'temporal-server', sql: 'temporal-sql-tool' },
      label: `the Temporal server ${TEMPORAL_SERVER_VERSION} and its SQL tool`,
      expectedDuration: '5 minutes',
      withoutGo: 'measure on the dev server (--topology dev)',
      progress,
    });
  }
  return { server, sqlTool };
}

async function runTool(command: string, args: string[]): Promise<void> {
  const { code, output } = await runCommand(command, args);
  if (code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed:\n${output.slice(-3000)}`);
}

/** Creates the tables of one store (history or visibility) with the schema compiled into the SQL tool. */
async function setUpSchema(sqlTool: string, database: ThrowawayDatabase, schemaName: string): Promise<void> {
  const url = new URL(database.url);
  const connection = [
    '--plugin', 'postgres12',
    '--ep', url.hostname,
    '-p', url.port || '5432',
    '-u', decodeURIComponent(url.username) || 'postgres',
    ...(url.password ? ['--pw', decodeURIComponent(url.password)] : []),
    '--db', url.pathname.slice(1),
  ];
  await runTool(sqlTool, [...connection, 'setup-schema', '-v', '0.0']);
  await runTool(sqlTool, [...connection, 'update-schema', '--schema-name', schemaName]);
}

function datastore(database: ThrowawayDatabase, maxConns: number): string {
  const url = new URL(database.url);
  return [
    '      sql:',
    '        pluginName: "postgres12"',
    `        databaseName: "${url.pathname.slice(1)}"`,
    `        connectAddr: "${url.hostname}:${url.port || '5432'}"`,
    '        connectProtocol: "tcp"',
    `        user: "${decodeURIComponent(url.username) || 'postgres'}"`,
    `        password: "${decodeURIComponent(url.password)}"`,
    `        maxConns: ${maxConns}`,
    `        maxIdleConns: ${maxConns}`,
    '        maxConnLifetime: "1h"',
  ].join('\n');
}

async function serverConfig(history: ThrowawayDatabase, visibility: ThrowawayDatabase, settings: TemporalServerSettings, dynamicConfigFile: string) {
  const ports = { frontend: await freePort(), frontendHttp: await freePort(), history: await freePort(), matching: await freePort(), worker: await freePort() };
  // Membership ports go into a smallint column of the cluster_membership table.
  const membershipPort = () => freePortBelow(32_768);
  const membership = { frontend: await membershipPort(), history: await membershipPort(), matching: await membershipPort(), worker: await membershipPort() };
  const service = (name: 'frontend' | 'history' | 'matching' | 'worker') =>
    [
      `  ${name}:`,
      '    rpc:',
      `      grpcPort: ${ports[name]}`,
      `      membershipPort: ${membership[name]}`,
      '      bindOnLocalHost: true',
      ...(name === 'frontend' ? [`      httpPort: ${ports.frontendHttp}`] : []),
    ].join('\n');
  const yaml = `log:
  stdout: true
  level: warn
persistence:
  defaultStore: history-store
  visibilityStore: visibility-store
  numHistoryShards: ${settings.historyShards}
  datastores:
    history-store:
${datastore(history, settings.maxConns)}
    visibility-store:
${datastore(visibility, Math.max(2, Math.floor(settings.maxConns / 2)))}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
services:
${service('frontend')}
${service('history')}
${service('matching')}
${service('worker')}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: "${dynamicConfigFile}"
  pollInterval: "10s"
`;
  return { yaml, frontendPort: ports.frontend };
}


async function waitForNamespaceApi(address: string, child: ChildProcess, log: () => string): Promise<Connection> {
  const deadline = Date.now() + 120_000;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the Temporal server exited with ${child.exitCode}:\n${log().slice(-3000)}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  throw new Error(`the Temporal server did not answer within 120 s: ${String(lastError)}\n${log().slice(-3000)}`);
}

/** Registers the namespace the platform uses (the server, unlike the dev server, starts with none). */
async function registerNamespace(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  } catch (error) {
    if (!/already exists|AlreadyExists/i.test(String(error))) throw error;
  }
  // The frontend learns new namespaces from its cache refresh (every few seconds).
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

export async function startTemporalOnPostgres(settings: TemporalServerSettings, namespace: string, progress: (message: string) => void): Promise<RunningTemporalServer> {
  const { server, sqlTool } = await temporalServerBinaries(progress);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'temporal-server-'));
  // One PostgreSQL server (DATABASE_URL's, or an embedded one) holding both stores.
  const postgres = await throwawayDatabase('temporal_server');
  const history = await createThrowawayDatabase(postgres.url, 'temporal_history');
  const visibility = await createThrowawayDatabase(postgres.url, 'temporal_visibility');
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await history.drop().catch(() => undefined);
    await visibility.drop().catch(() => undefined);
    await postgres.drop().catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    progress('setting up the Temporal schema in PostgreSQL...');
    await setUpSchema(sqlTool, history, 'postgresql/v12/temporal');
    await setUpSchema(sqlTool, visibility, 'postgresql/v12/visibility');
    const dynamicConfigFile = path.join(dir, 'dynamicconfig.yaml');
    // The same settings the dev server runs with (src/temporal/serverSettings.ts).
    await fs.writeFile(dynamicConfigFile, dynamicConfigYaml());
    const config = await serverConfig(history, visibility, settings, dynamicConfigFile);
    await fs.mkdir(path.join(dir, 'config'));
    await fs.writeFile(path.join(dir, 'config', 'bench.yaml'), config.yaml);
    let log = '';
    child = spawn(server, ['--root', dir, '--config', 'config', '--env', 'bench', '--allow-no-auth', 'start'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const address = `127.0.0.1:${config.frontendPort}`;
    progress(`starting the Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL (${settings.historyShards} history shards) at ${address}...`);
    const connection = await waitForNamespaceApi(address, child, () => log);
    try {
      await registerNamespace(connection, namespace);
    } finally {
      await connection.close();
    }
    return {
      address,
      description: {
        server: `Temporal server ${TEMPORAL_SERVER_VERSION} (go.temporal.io/server cmd/server, all services in one process)`,
        historyShards: settings.historyShards,
        persistence: `PostgreSQL (postgres12 plugin), ${settings.maxConns} connections for history, ${Math.max(2, Math.floor(settings.maxConns / 2))} for visibility`,
        visibility: 'PostgreSQL (SQL visibility)',
        dynamicConfig: Object.fromEntries(temporalServerSettings.map((s) => [s.key, s.value])),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
