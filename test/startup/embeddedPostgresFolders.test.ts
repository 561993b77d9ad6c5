import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/dev/embeddedPostgres';
import { MACHINE_FOLDER } from '../../src/dev/postgresBinaries';
import { SetupError } from '../../src/dev/setupError';
import { freePort } from '../support/ports';

const asRoot = os.userInfo().uid === 0;
const rootOnly = asRoot ? it : it.skip;

/**
 * The platform's embedded PostgreSQL started from a folder only its owner may enter
 * (`mktemp -d` makes mode 700, as root's home is): as root the server runs as the
 * `postgres` account, which cannot enter it, so binaries and cluster must be placed where
 * it can, and the data must still belong to that folder.
 */
describe('embedded PostgreSQL in a folder of mode 700', () => {
  let home: string;
  const started: EmbeddedPostgresHandle[] = [];

  beforeEach(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'pg-home-'));
    expect((await fs.stat(home)).mode & 0o777).toBe(0o700);
  });
  afterEach(async () => {
    for (const pg of started.splice(0)) await pg.stop();
    await fs.rm(home, { recursive: true, force: true });
  });

  const start = async (dir: string) => {
    const pg = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'folders_test' });
    started.push(pg);
    return pg;
  };
  const query = async (url: string, sql: string) => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  it('reaches ready, keeps its data across a restart, and starts afresh once the folder is deleted', async () => {
    const dir = path.join(home, 'data', 'postgres');
    const first = await start(dir);
    expect(await query(first.url, 'select 1 as ready')).toEqual([{ ready: 1 }]);
    await query(first.url, "create table kept (note text); insert into kept values ('survives')");
    await first.stop();
    started.pop();

    const second = await start(dir);
    expect(await query(second.url, 'select note from kept')).toEqual([{ note: 'survives' }]);
    await second.stop();
    started.pop();

    await fs.rm(path.join(home, 'data'), { recursive: true, force: true });
    const fresh = await start(dir);
    expect(await query(fresh.url, "select count(*)::int as n from pg_tables where tablename = 'kept'")).toEqual([{ n: 0 }]);
  });

  rootOnly('runs as the postgres account from binaries and a cluster that account can reach', async () => {
    const dir = path.join(home, 'postgres');
    const pg = await start(dir);
    const status = await fs.readFile(`/proc/${pg.pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)![1]);
    expect(uid).not.toBe(0);
    expect(await fs.realpath(`/proc/${pg.pid}/exe`)).toMatch(new RegExp(`^${MACHINE_FOLDER}/`));
    // The folder asked for is a link to the relocated cluster, owned by the server's account.
    expect((await fs.lstat(dir)).isSymbolicLink()).toBe(true);
    expect(await fs.realpath(dir)).toBe(pg.dataDir);
    expect(pg.dataDir.startsWith(MACHINE_FOLDER)).toBe(true);
    expect((await fs.stat(pg.dataDir)).uid).toBe(uid);
  });

  rootOnly('refuses an existing cluster folder the postgres account cannot enter, naming it and the fix', async () => {
    const dir = path.join(home, 'postgres');
    await fs.mkdir(dir);
    const failure = startEmbeddedPostgres({ dir, port: await freePort(), database: 'folders_test' });
    await expect(failure).rejects.toThrow(SetupError);
    await expect(failure).rejects.toThrow(new RegExp(`${dir}.*cannot enter.*chmod o\\+x`));
  });

  rootOnly('removes the cluster of a deleted folder at its next start elsewhere', async () => {
    const gone = await start(path.join(home, 'gone', 'postgres'));
    const orphan = gone.dataDir;
    await gone.stop();
    started.pop();
    await fs.rm(path.join(home, 'gone'), { recursive: true, force: true });

    await start(path.join(home, 'other', 'postgres'));
    await expect(fs.access(orphan)).rejects.toThrow();
  });
});
