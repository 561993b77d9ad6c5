import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createThrowawayDatabase } from '../../src/dev/throwawayDatabase';

/** pgbench: PGBENCH, then PATH, then Debian's PostgreSQL server packages. */
function findPgbench(): string | undefined {
  const candidates = [process.env.PGBENCH, ...(process.env.PATH ?? '').split(':').map((d) => path.join(d, 'pgbench'))];
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const version of fs.readdirSync(debian).sort().reverse()) candidates.push(path.join(debian, version, 'bin', 'pgbench'));
  }
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

// The coupon claim's hot-row transaction, as SQL: lock the one coupon row, insert the
// holder's row, bump the counter (src/activities/coupons.ts does the same, with checks).
const SCRIPT = `\\set user random(1, 2000000000)
BEGIN;
SELECT issued_quantity FROM bench_coupons WHERE id = 1 FOR UPDATE;
INSERT INTO bench_claims (user_id) VALUES (:user);
UPDATE bench_coupons SET issued_quantity = issued_quantity + 1 WHERE id = 1;
COMMIT;
`;

/**
 * PostgreSQL's own ceiling for the claim's transaction on one hot row, at the same
 * concurrency, in a throwaway database on the platform's server. Returns transactions/s,
 * or why it could not run.
 */
export async function pgbenchBaseline(databaseUrl: string, options: { clients: number; seconds: number }) {
  const pgbench = findPgbench();
  if (!pgbench) return { skipped: 'pgbench not found (install Debian postgresql, or set PGBENCH)' };
  const database = await createThrowawayDatabase(databaseUrl, 'bench_pgbench');
  const db = new Client({ connectionString: database.url });
  const scriptFile = path.join(os.tmpdir(), `bench-pgbench-${process.pid}.sql`);
  try {
    await db.connect();
    await db.query('create table bench_coupons (id int primary key, issued_quantity int not null)');
    await db.query('insert into bench_coupons values (1, 0)');
    await db.query('create table bench_claims (id bigserial primary key, user_id bigint not null)');
    await db.end();
    fs.writeFileSync(scriptFile, SCRIPT);
    // More clients than the server allows would fail: cap at the platform's pool scale.
    const clients = Math.min(options.clients, 90);
    const { stdout } = await promisify(execFile)(pgbench, [
      '--no-vacuum', '-f', scriptFile, '-c', String(clients), '-j', String(Math.min(clients, os.cpus().length)), '-T', String(options.seconds), database.url,
    ]);
    const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
    return { clients, seconds: options.seconds, transactionsPerSecond: Math.round(tps), pgbench };
  } finally {
    fs.rmSync(scriptFile, { force: true });
    await database.drop();
  }
}
