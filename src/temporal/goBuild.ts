import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../dev/runCommand';

/**
 * Temporal's binaries are built from the Go module proxy (the only place this kind of
 * machine may download them from) into a per-user cache keyed by version, once, so every
 * clone and every CI run on the machine reuses them.
 */
export function cacheDir(...parts: string[]): string {
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'order-platform', ...parts);
}

export async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** `go` from PATH, or from its default install location when PATH lacks it. */
async function findGo(): Promise<string | undefined> {
  for (const candidate of ['go', '/usr/local/go/bin/go']) {
    const check = await runCommand(candidate, ['version']).catch(() => undefined);
    if (check?.code === 0) return candidate;
  }
  return undefined;
}

export interface GoInstallOptions {
  /** What `go install` builds, each `module/path@version`. */
  packages: string[];
  /** The folder the binaries end up in. */
  targetDir: string;
  /** Name `go install` gives each binary -> the name it gets in targetDir. */
  binaries: Record<string, string>;
  /** For the progress messages: what is built and about how long it takes. */
  label: string;
  expectedDuration: string;
  /** What to do instead when Go is missing. */
  withoutGo: string;
  progress: (message: string) => void;
}

/**
 * Runs `go install` into a private folder first and renames the binaries into place, so
 * an interrupted or concurrent build never leaves a half-written binary where the next
 * run would trust it. Reports progress every 30 s: the first build takes minutes.
 */
export async function goInstall(options: GoInstallOptions): Promise<void> {
  const go = await findGo();
  if (!go) {
    throw new Error(
      `${options.label} is not built yet and Go is not available to build it. Install Go (https://go.dev/dl) or ${options.withoutGo}.`,
    );
  }
  await fs.mkdir(options.targetDir, { recursive: true });
  const staging = await fs.mkdtemp(path.join(options.targetDir, '.build-'));
  options.progress(
    `Building ${options.label} with "go install" into ${options.targetDir} (first run on this machine only; it takes about ${options.expectedDuration})...`,
  );
  const started = Date.now();
  const ticker = setInterval(
    () => options.progress(`  still building ${options.label} (${Math.round((Date.now() - started) / 1000)} s)...`),
    30_000,
  );
  try {
    const result = await runCommand(go, ['install', ...options.packages], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: process.env.CGO_ENABLED ?? '0' },
    });
    if (result.code !== 0) throw new Error(`go install ${options.packages.join(' ')} failed:\n${result.output.slice(-4000)}`);
    for (const [built, name] of Object.entries(options.binaries)) {
      await fs.rename(path.join(staging, built), path.join(options.targetDir, name));
    }
    options.progress(`${options.label} ready after ${Math.round((Date.now() - started) / 1000)} s: ${options.targetDir}`);
  } finally {
    clearInterval(ticker);
    await fs.rm(staging, { recursive: true, force: true });
  }
}
