import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { testEnvironment } from './environment';
import { freePorts } from './ports';

export interface PlatformPorts {
  api: number;
  pg: number;
  temporal: number;
  ui: number;
  gateway: number;
  dataPlatform: number;
}

export interface PlatformProcess {
  child: ChildProcess;
  /** Resolves when the banner says ready; rejects if the process exits first. */
  ready: Promise<void>;
  exited: Promise<number | null>;
  output: () => string;
}

const repoRoot = path.resolve(__dirname, '../..');
const startScript: string = require('../../package.json').scripts.start;

/** A fresh data folder (mode 700, as `mktemp -d` makes it) and free ports. */
export async function platformHome(): Promise<{ dataDir: string; ports: PlatformPorts }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-start-'));
  const [api, pg, temporal, ui, gateway, dataPlatform] = await freePorts(6);
  return { dataDir, ports: { api, pg, temporal, ui, gateway, dataPlatform } };
}

/**
 * Runs exactly the command `npm start` runs, without npm in between (npm re-raises
 * Ctrl-C on itself, which would hide our process's own exit code), in its own process
 * group so a test can signal the whole tree as a terminal or a crash would.
 */
export function launchPlatform(
  home: { dataDir: string; ports: PlatformPorts },
  extraEnv: Record<string, string> = {},
): PlatformProcess {
  const [command, ...args] = startScript.split(' ');
  if (command !== 'node') throw new Error(`npm start no longer runs node directly: ${startScript}`);
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    detached: true,
    env: {
      ...process.env,
      DATA_DIR: home.dataDir,
      PORT: String(home.ports.api),
      EMBEDDED_PG_PORT: String(home.ports.pg),
      TEMPORAL_DEV_PORT: String(home.ports.temporal),
      TEMPORAL_UI_PORT: String(home.ports.ui),
      PAYMENT_GATEWAY_PORT: String(home.ports.gateway),
      DATA_PLATFORM_PORT: String(home.ports.dataPlatform),
      // Several platforms may run at once (tests, a bench beside them): the OS picks.
      API_METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      PAYMENT_GATEWAY_URL: '',
      DATA_PLATFORM_URL: '',
      TEMPORAL_CLI: testEnvironment().temporalCliPath,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      LOG_FORMAT: 'json',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Order platform is ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`npm start exited (${code}) before ready:\n${output}`)));
  });
  ready.catch(() => undefined); // a test that expects a failure awaits it itself
  return { child, ready, exited, output: () => output };
}

/** Signals the whole process tree: SIGINT as a terminal's Ctrl-C, SIGKILL as a crash. */
export function signalTree(platform: PlatformProcess, signal: NodeJS.Signals): void {
  process.kill(-platform.child.pid!, signal);
}
