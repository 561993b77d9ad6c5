import type { Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { createDb } from '../db/knex';

const withinTimeout = async (check: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([check, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
};

/**
 * Each backing service answers a trivial request within two seconds; `local` adds the
 * services this process runs itself, up or not (restarting after a crash). `db` is a
 * pool of its own (readinessPool): on the requests' pool, a rush that holds every
 * connection would make the instance report unready exactly when it is busiest, and a
 * load balancer would drain it.
 */
/** The one-connection pool readiness probes PostgreSQL with, apart from the requests' pool. */
export const readinessPool = (url: string): Knex => createDb({ url, poolMax: 1, acquireTimeoutMs: 1_000 });

export const createReadinessCheck =
  (db: Knex, temporal: Connection, local: Record<string, () => boolean> = {}) =>
  async (): Promise<Record<string, boolean>> => ({
    postgres: await withinTimeout(db.raw('select 1'), 2000),
    temporal: await withinTimeout(temporal.workflowService.getSystemInfo({}), 2000),
    ...Object.fromEntries(Object.entries(local).map(([name, isUp]) => [name, isUp()])),
  });
