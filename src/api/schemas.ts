import { z } from 'zod';

/** Building blocks shared by several resources' schemas. */
export const uuid = z.uuid({ message: 'must be a UUID' }).transform((v) => v.toLowerCase());

export const idParams = z.strictObject({ id: uuid });

/** Free text from a client: trimmed, bounded, and without NUL, which PostgreSQL cannot store. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** PostgreSQL `integer`: amounts and quantities must fit it. */
export const MAX_INT = 2_147_483_647;

/** Money: an integer in the smallest currency unit that fits an `integer` column. */
export const amount = z.number().int('must be an integer in the smallest currency unit').min(0).max(MAX_INT);

/** An instant with an explicit offset (`2026-11-25T10:00:00Z`), parsed to a Date. */
export const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-11-25T10:00:00Z' })
  .transform((v) => new Date(v));

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.unknown().nullable(),
    }),
  })
  .meta({ id: 'Error' });
