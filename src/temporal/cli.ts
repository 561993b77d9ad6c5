import path from 'node:path';
import { cacheDir, goInstall, isExecutable } from './goBuild';

/**
 * The Temporal CLI release we build. v1.5.1 is the newest release whose go.mod has no
 * `replace` directive, which `go install module@version` requires.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

const binaryName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Per-user, per-version cache, so every clone and every CI run on a machine reuses one build. */
export function cachedCliPath(version = TEMPORAL_CLI_VERSION): string {
  return path.join(cacheDir('temporal-cli', version), binaryName);
}

async function findOnPath(): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && (await isExecutable(path.join(dir, binaryName)))) return path.join(dir, binaryName);
  }
  return undefined;
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
  await goInstall({
    packages: [`${CLI_MODULE}@${TEMPORAL_CLI_VERSION}`],
    targetDir: path.dirname(cached),
    binaries: { [binaryName]: binaryName },
    label: `the Temporal CLI ${TEMPORAL_CLI_VERSION}`,
    expectedDuration: '4 minutes',
    withoutGo: 'set TEMPORAL_CLI to a temporal binary, or put "temporal" on PATH',
    progress,
  });
  return cached;
}
