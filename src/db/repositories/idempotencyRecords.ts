import type { Knex } from 'knex';

export interface IdempotencyRecord {
  requestHash: string;
  response: { status: number; body: unknown } | null;
}

/**
 * Clients' Idempotency-Keys per customer and operation (`scope`), kept in PostgreSQL so
 * the guarantee outlives Temporal's retention of closed workflows.
 */
export function createIdempotencyRecordRepository(db: Knex) {
  return {
    /**
     * Claims the key for this request, or finds who claimed it first. `created` is true
     * only for the one request whose insert won: every other is a replay.
     */
    async claim(id: { userId: string; scope: string; key: string }, requestHash: string): Promise<{ created: boolean; record: IdempotencyRecord }> {
      const inserted = await db('idempotency_records')
        .insert({ user_id: id.userId, scope: id.scope, key: id.key, request_hash: requestHash })
        .onConflict(['user_id', 'scope', 'key'])
        .ignore()
        .returning('request_hash');
      if (inserted.length === 1) return { created: true, record: { requestHash, response: null } };
      const row = await db('idempotency_records').where({ user_id: id.userId, scope: id.scope, key: id.key }).first();
      return {
        created: false,
        record: {
          requestHash: row.request_hash,
          response: row.response_status === null ? null : { status: row.response_status, body: row.response_body },
        },
      };
    },

    /** Stores the outcome once; the first stored outcome is the one every replay gets. */
    async complete(id: { userId: string; scope: string; key: string }, response: { status: number; body: unknown }): Promise<void> {
      await db('idempotency_records')
        .where({ user_id: id.userId, scope: id.scope, key: id.key })
        .whereNull('response_status')
        .update({ response_status: response.status, response_body: JSON.stringify(response.body), completed_at: db.fn.now() });
    },
  };
}
