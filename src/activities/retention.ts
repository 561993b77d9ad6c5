import { heartbeat } from '@temporalio/activity';
import type { Knex } from 'knex';

const BATCH = 1_000;

/**
 * Deletes the idempotency records older than the retention, a batch at a time (short
 * transactions, no long lock on a busy table), until none is left; heartbeats between
 * batches so a long catch-up is not mistaken for a dead worker.
 */
export const createRetentionActivities = (deps: { db: Knex }) => ({
  async pruneIdempotencyRecords(input: { olderThan: string }): Promise<{ deleted: number }> {
    let deleted = 0;
    for (;;) {
      const batch = await deps.db.raw(
        `delete from idempotency_records where ctid in (select ctid from idempotency_records where created_at < ? order by created_at limit ${BATCH})`,
        [input.olderThan],
      );
      deleted += batch.rowCount ?? 0;
      heartbeat({ deleted });
      if ((batch.rowCount ?? 0) < BATCH) return { deleted };
    }
  },
});

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
