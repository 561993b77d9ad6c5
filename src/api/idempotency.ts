import { createHash } from 'node:crypto';
import type { Response } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { IDEMPOTENCY_KEY } from '../contracts/workflowIds';
import { createIdempotencyRecordRepository } from '../db/repositories/idempotencyRecords';
import type { Result } from '../domain/errors';
import { ApiError, statusOf, type ErrorBody } from './errors';

/** The Idempotency-Key header, required on every request that must happen once. */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string({ message: 'the Idempotency-Key header is required' })
    .regex(IDEMPOTENCY_KEY, 'Idempotency-Key must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -')
    .meta({ description: 'Makes the request safe to repeat: the same key and body always get the same answer' }),
});

/** A stable hash of a request's meaning (its parsed, normalised body). */
export const hashRequest = (request: unknown): string => createHash('sha256').update(JSON.stringify(request)).digest('hex');

/**
 * Answers a request once per (customer, scope, key). The first request claims the key
 * with its hash in PostgreSQL and its outcome is stored there; every later request with
 * the key (a retry, a concurrent duplicate, a client days later) gets that outcome with
 * `Idempotent-Replayed: true`, and a different request under the same key is refused.
 * A concurrent duplicate that arrives before the outcome is stored runs the same
 * operation (which the workflow id makes one) and answers without the header.
 * Failures that are not outcomes (503: a service away, an outcome still pending) are
 * not stored, so repeating the request carries on where it left off.
 */
export function createIdempotentAnswers(db: Knex) {
  const records = createIdempotencyRecordRepository(db);
  return {
    async answer<T>(
      id: { userId: string; scope: string; key: string },
      request: unknown,
      res: Response,
      successStatus: number,
      produce: () => Promise<Result<T>>,
    ): Promise<T> {
      const requestHash = hashRequest(request);
      const { record } = await records.claim(id, requestHash);
      if (record.requestHash !== requestHash) {
        throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request', { idempotencyKey: id.key });
      }
      // Only a stored answer is a replay; a key whose first request is still running (or
      // ended in a 503, not stored) carries on under this request.
      if (record.response) {
        res.setHeader('Idempotent-Replayed', 'true');
        return replay<T>(record.response);
      }
      const outcome = await produce();
      const response = outcome.ok
        ? { status: successStatus, body: outcome.value }
        : { status: statusOf[outcome.refusal.code], body: { error: outcome.refusal } };
      await records.complete(id, response);
      return replay<T>(response);
    },
  };
}

function replay<T>(response: { status: number; body: unknown }): T {
  if (response.status < 400) return response.body as T;
  const { error } = response.body as ErrorBody;
  throw new ApiError(error.code, error.message, error.details);
}
