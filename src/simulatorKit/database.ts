import knex, { type Knex } from 'knex';
import type { Logger } from '../logging/logger';

/**
 * A simulator's own database pool (the platform's code is not involved), as another
 * company's service would have, with Knex's warnings in the simulator's log.
 */
export function createSimulatorDatabase(databaseUrl: string, logger: Logger): Knex {
  return knex({
    client: 'pg',
    connection: databaseUrl,
    // Requests racing on one key each hold a connection while they find out.
    pool: { min: 0, max: 20 },
    acquireConnectionTimeout: 10_000,
    log: {
      warn: (message: unknown) => logger.warn({ component: 'knex' }, String(message)),
      error: (message: unknown) => logger.error({ component: 'knex' }, String(message)),
      deprecate: (message: unknown) => logger.warn({ component: 'knex' }, String(message)),
      debug: (message: unknown) => logger.debug({ component: 'knex' }, String(message)),
    },
  });
}
