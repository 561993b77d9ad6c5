import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { contentHash } from '../simulatorKit/contentHash';
import { TABLES } from './migrations';
import { GatewayHttpError, type GatewayResponse } from './responses';

/** Keys are per endpoint: the same key may name one charge and one (unrelated) cancel. */
export type IdempotencyScope = 'charge' | 'cancel';

export interface IdempotentRequest {
  scope: IdempotencyScope;
  key: string;
  /** The parsed request (body, plus the path's paymentKey for cancels). */
  request: unknown;
}

export type IdempotentOutcome<W> = { replayed: true; response: GatewayResponse } | { replayed: false; work: W };

/** A 64-bit advisory-lock id for one (scope, key). */
const lockId = (scope: IdempotencyScope, key: string): string =>
  createHash('sha256').update(`${scope}\n${key}`).digest().readBigInt64BE(0).toString();

/**
 * Runs `work` at most once per (scope, key) and remembers its answer.
 *
 * Everything happens in one transaction: a transaction-scoped advisory lock on the key
 * (taken without waiting, so a second request for a key still being worked on gets 409
 * REQUEST_IN_PROGRESS at once), the look-up of a stored answer, the work's own writes
 * and the storing of its answer. A crash therefore rolls back the work and frees the
 * key together; a key is never left stuck, and never stored without its effects.
 *
 * Answers below 500 (approvals, declines, refusals) are stored and replayed; a 5xx is
 * not, so the caller may retry it with the same key. Work that throws rolls back.
 */
export async function runIdempotently<W extends { response: GatewayResponse }>(
  db: Knex,
  request: IdempotentRequest,
  work: (trx: Knex.Transaction) => Promise<W>,
): Promise<IdempotentOutcome<W>> {
  const hash = contentHash(request.request);
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw('select pg_try_advisory_xact_lock(?::bigint) as locked', [lockId(request.scope, request.key)]);
    if (!rows[0].locked) {
      throw new GatewayHttpError('REQUEST_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry later');
    }
    const stored = await trx(TABLES.idempotencyKeys).where({ scope: request.scope, key: request.key }).first();
    if (stored) {
      if (stored.request_hash !== hash) {
        throw new GatewayHttpError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
      }
      return { replayed: true as const, response: { status: stored.response_status, body: stored.response_body } };
    }
    const done = await work(trx);
    if (done.response.status < 500) {
      await trx(TABLES.idempotencyKeys).insert({
        scope: request.scope,
        key: request.key,
        request_hash: hash,
        response_status: done.response.status,
        // Stringified: knex would send a top-level array as a Postgres array, not JSON.
        response_body: JSON.stringify(done.response.body),
      });
    }
    return { replayed: false as const, work: done };
  });
}
