import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/dev/embeddedPostgres';

export interface ThrowawayDatabase {
  url: string;
  /** Drops the database (or stops embedded PostgreSQL and removes its folder). */
  drop: () => Promise<void>;
}

/**
 * A database that exists for one benchmark run: created on the server DATABASE_URL names
 * and dropped afterwards, so a benchmark never touches data it did not make. Without
 * DATABASE_URL it runs embedded PostgreSQL in a temporary folder instead.
 */
export async function throwawayDatabase(prefix: string): Promise<ThrowawayDatabase> {
  if (!process.env.DATABASE_URL) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix.replace(/_/g, '-')}-`));
    await fs.chmod(dir, 0o755);
    const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: 54400 + Math.floor(Math.random() * 500), database: 'bench' });
    return { url: pg.url, drop: async () => (await pg.stop(), await fs.rm(dir, { recursive: true, force: true })) };
  }
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
    },
  };
}
