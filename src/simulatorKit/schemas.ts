import { z } from 'zod';

/** Text Postgres can store (it refuses NUL), bounded. */
export const text = (min: number, max: number) =>
  z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

export const idempotencyKeySchema = z.string({ error: 'the Idempotency-Key header is required' }).min(1).max(255);
