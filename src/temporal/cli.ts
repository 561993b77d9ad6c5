import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The Temporal CLI release we build. v1.5.1 is the newest release whose go.mod has no
 * `replace` directive, which `go install module@version` requires.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

const binaryName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Per-user, per-version cache, so every clone and every CI run on a machine reuses one build. */
export function cachedCliPath(version = TEMPORAL_CLI_VERSION): string {
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'order-platform', 'temporal-cli', version, binaryName);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function findOnPath(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, binaryName)))) return path.join(dir, binaryName);
  }
  return undefined;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** `go` from PATH, or from its default install location when PATH lacks it. */
async function findGo(): Promise<string | undefined> {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    const check = await run(candidate, ['version'], process.env).catch(() => undefined);
    if (check?.code === 0) return candidate;
  }
  return undefined;
}

/**
 * Builds the CLI with `go install` into the cache. It goes to a private folder first and
 * is renamed into place, so an interrupted or concurrent build never leaves a half-written
 * binary where the next run would trust it.
 */
async function buildCli(target: string, progress: (message: string) => void): Promise<void> {
  const go = await findGo();
  if (!go) {
    throw new Error(
      'The Temporal CLI is not installed and Go is not available to build it. Install Go ' +
        `(https://go.dev/dl), set TEMPORAL_CLI to a temporal binary, or put "temporal" on PATH.`,
    );
  }
  const staging = await fs.mkdtemp(path.join(path.dirname(target), '.build-'));
  progress(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with "go install" into ${path.dirname(target)} ` +
      '(first run on this machine only; it takes about 4 minutes)...',
  );
  const started = Date.now();
  const ticker = setInterval(
    () => progress(`  still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s)...`),
    30_000,
  );
  try {
    const result = await run(go, ['install', `${CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
      ...process.env,
      GOBIN: staging,
      CGO_ENABLED: process.env.CGO_ENABLED ?? '0',
    });
    if (result.code !== 0) {
      throw new Error(`go install ${CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed:\n${result.output.slice(-4000)}`);
    }
    await fs.rename(path.join(staging, binaryName), target);
    progress(`Temporal CLI ready after ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  } finally {
    clearInterval(ticker);
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/**
 * Finds a Temporal CLI: an explicit path (TEMPORAL_CLI), then `temporal` on PATH, then
 * the per-user cache, building it there once when nothing else is found.
 */
export async function resolveTemporalCli(options: {
  explicitPath?: string;
  progress?: (message: string) => void;
}): Promise<string> {
  const progress = options.progress ?? ((message: string) => console.log(message));
  if (options.explicitPath) {
    if (await isExecutable(options.explicitPath)) return path.resolve(options.explicitPath);
    throw new Error(`TEMPORAL_CLI points at ${options.explicitPath}, which is not an executable file`);
  }
  const onPath = await findOnPath();
  if (onPath) return onPath;
  const cached = cachedCliPath();
  if (await isExecutable(cached)) return cached;
  await fs.mkdir(path.dirname(cached), { recursive: true });
  await buildCli(cached, progress);
  return cached;
}
