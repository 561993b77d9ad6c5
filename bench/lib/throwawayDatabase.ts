import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/dev/embeddedPostgres';
import { createThrowawayDatabase } from '../../src/dev/throwawayDatabase';
import { freePort } from '../../src/platform/ports';

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
    const pg = await startEmbeddedPostgres({ dir: path.join(dir, 'pg'), port: await freePort(), database: 'bench' });
    const drop = async () => {
      await pg.stop();
      // The cluster may live outside `dir` (see src/dev/postgresDataFolder.ts).
      await fs.rm(pg.dataDir, { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true });
    };
    return { url: pg.url, drop };
  }
  return createThrowawayDatabase(process.env.DATABASE_URL, prefix);
}
