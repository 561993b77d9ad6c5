import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { SetupError } from './setupError';

/** The unprivileged account PostgreSQL runs as; `undefined` means "as this process". */
export interface UnixAccount {
  name: string;
  uid: number;
  gid: number;
}

const POSTGRES_ACCOUNT = 'postgres';

/**
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` system account
 * (created if missing, as Debian's own postgresql package would); as anyone else it runs
 * as that user.
 */
export function postgresAccount(): UnixAccount | undefined {
  if (os.userInfo().uid !== 0) return undefined;
  return lookUp(POSTGRES_ACCOUNT) ?? create(POSTGRES_ACCOUNT);
}

function lookUp(name: string): UnixAccount | undefined {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function create(name: string): UnixAccount {
  const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
    encoding: 'utf8',
  });
  const account = lookUp(name);
  if (!account) {
    const reason = (made.error?.message ?? made.stderr ?? '').trim() || `exit ${made.status}`;
    throw new SetupError(
      `Embedded PostgreSQL cannot run as root and the "${name}" account could not be created (${reason}): ` +
        `create it (useradd --system ${name}), run as a non-root user, or set DATABASE_URL`,
    );
  }
  return account;
}

/**
 * Whether `account` can search (`x`) or read and search (`rx`) `target`, asked of the
 * kernel as that account: the probe runs with the same uid, gid and no supplementary
 * groups, exactly as the server will (Node drops supplementary groups when it sets a uid).
 */
export function accountCan(account: UnixAccount, access: 'x' | 'rx', target: string): boolean {
  const checks = access === 'x' ? ['-x', target] : ['-r', target, '-a', '-x', target];
  return spawnSync('test', checks, { uid: account.uid, gid: account.gid }).status === 0;
}
