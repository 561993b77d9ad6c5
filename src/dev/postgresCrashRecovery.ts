import fs from 'node:fs';
import path from 'node:path';

/**
 * After a crash (SIGKILL, power loss) the lock file outlives its postmaster. PostgreSQL
 * refuses to start while the PID in it looks alive, and a killed postmaster can linger
 * as a zombie, or its PID be reused, for a moment. If no live PostgreSQL owns the lock,
 * it is stale: remove it and let PostgreSQL run its normal crash recovery.
 */
export async function clearStaleLock(dir: string, log: (line: string) => void): Promise<void> {
  const lockFile = path.join(dir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number.parseInt((await fs.promises.readFile(lockFile, 'utf8')).split('\n')[0], 10);
  } catch {
    return; // no lock file: a clean shutdown
  }
  if (Number.isInteger(pid) && isLivePostgres(pid)) {
    throw new Error(`PostgreSQL from an earlier run (PID ${pid}) still uses ${dir}; stop it first`);
  }
  await fs.promises.rm(lockFile, { force: true });
  log(`removed the stale ${lockFile} left by a crash (PID ${pid} is gone)`);
}

function isLivePostgres(pid: number): boolean {
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; Z and X are dead processes.
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    if (state === 'Z' || state === 'X') return false;
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    // No /proc entry (gone, or not Linux): ask the kernel whether the PID exists.
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

/**
 * Right after a crash the killed server's shared memory can still be attached for a
 * moment, and PostgreSQL refuses to start; a few short retries ride that out.
 */
export async function startWithRetries(start: () => Promise<void>, lastLines: () => string, port: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= 5) {
        throw new Error(
          `embedded PostgreSQL did not start on port ${port} (is the port taken? set EMBEDDED_PG_PORT, ` +
            `or DATABASE_URL to use another server): ${String(error ?? 'process exited')}\n${lastLines()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}
