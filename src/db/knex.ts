import knex, { type Knex } from 'knex';
import { migrationSource } from '../../migrations';
import type { Logger } from '../logging/logger';

export type { Knex };

export function createDb(options: { url: string; poolMax: number; logger?: Logger; acquireTimeoutMs?: number }): Knex {
  const logger = options.logger;
  return knex({
    client: 'pg',
    // Knex's own warnings (a connection that could not be acquired, ...) go to our logs.
    log: logger
      ? {
          warn: (message: unknown) => logger.warn({ component: 'knex' }, String(message)),
          error: (message: unknown) => logger.error({ component: 'knex' }, String(message)),
          deprecate: (message: unknown) => logger.warn({ component: 'knex' }, String(message)),
          debug: (message: unknown) => logger.debug({ component: 'knex' }, String(message)),
        }
      : undefined,
    connection: options.url,
    pool: { min: 0, max: options.poolMax },
    // A pool exhausted by a flash sale should fail a request after a while, not hang it.
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 30_000,
  });
}

/** Applies pending migrations; Knex's lock table makes concurrent callers safe. */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export { isUniqueViolation, UNIQUE_VIOLATION } from './pgErrors';
