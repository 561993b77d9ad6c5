import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { accountCan, type UnixAccount } from './postgresAccount';
import { makeSearchable, MACHINE_FOLDER } from './postgresBinaries';
import { SetupError } from './setupError';

const RELOCATED = path.join(MACHINE_FOLDER, 'data');

/**
 * The folder PostgreSQL keeps its cluster in, given the one the platform asked for
 * (`DATA_DIR/postgres`). Usually that folder itself. When the server runs as another
 * account that cannot enter the folder's parents (root's home, a `mktemp -d` folder),
 * the cluster lives in the machine folder instead and the asked-for path becomes a
 * symlink to it: the data still belongs to that DATA_DIR, and deleting DATA_DIR still
 * starts from scratch (a cluster whose link is gone is removed).
 */
export async function placeDataFolder(wanted: string, runAs: UnixAccount | undefined, log: (line: string) => void): Promise<string> {
  const dir = path.resolve(wanted);
  await fs.mkdir(path.dirname(dir), { recursive: true });
  if (!runAs) return dir;

  const existing = await fs.lstat(dir).catch(() => undefined);
  if (existing?.isSymbolicLink()) {
    return path.resolve(path.dirname(dir), await fs.readlink(dir));
  }
  const reachable = accountCan(runAs, 'x', path.dirname(dir));
  if (existing) {
    if (reachable) return dir;
    throw new SetupError(
      `PostgreSQL's data folder ${dir} is inside a folder the "${runAs.name}" account cannot enter: ` +
        `allow it in (chmod o+x on each parent), move DATA_DIR, or delete ${dir} to start afresh`,
    );
  }
  if (reachable) return dir;

  await pruneOrphans();
  const target = path.join(RELOCATED, createHash('sha256').update(dir).digest('hex').slice(0, 24));
  await makeSearchable(RELOCATED).catch((error: NodeJS.ErrnoException) => {
    throw new SetupError(
      `The "${runAs.name}" account cannot enter ${path.dirname(dir)} and ${RELOCATED} could not be made (${error.code}): ` +
        `point DATA_DIR at a folder it can enter, run as a non-root user, or set DATABASE_URL`,
    );
  });
  // A cluster already there belonged to an earlier DATA_DIR at this path, since deleted.
  await fs.rm(target, { recursive: true, force: true });
  // Link first, owner note second: whoever reads the note finds the link in place.
  await fs.symlink(target, dir);
  await fs.writeFile(`${target}.owner`, dir);
  log(`PostgreSQL data for ${dir} lives in ${target} (the "${runAs.name}" account cannot enter ${path.dirname(dir)})`);
  return target;
}

/** Clusters whose DATA_DIR no longer links to them (deleted, e.g. by a test's clean-up). */
async function pruneOrphans(): Promise<void> {
  const entries = await fs.readdir(RELOCATED).catch(() => [] as string[]);
  for (const note of entries.filter((entry) => entry.endsWith('.owner'))) {
    const target = path.join(RELOCATED, note.slice(0, -'.owner'.length));
    const owner = await fs.readFile(path.join(RELOCATED, note), 'utf8').catch(() => undefined);
    const link = owner === undefined ? undefined : await fs.readlink(owner).catch(() => undefined);
    if (link !== undefined && path.resolve(path.dirname(owner!), link) === target) continue;
    await fs.rm(target, { recursive: true, force: true });
    await fs.rm(path.join(RELOCATED, note), { force: true });
  }
}
