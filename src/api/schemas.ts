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

/** Which page of a list a request asks for (spread into the list's query schema). */
export const pageQuery = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
};

/** One page of a list of `item`s, as every list endpoint answers. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    limit: z.number().int(),
    totalPages: z.number().int(),
  });

/** The page's body from its items, the count of all, and the query that asked. */
export const pageBody = <T>(items: T[], total: number, query: { page: number; limit: number }) => ({
  items,
  total,
  page: query.page,
  limit: query.limit,
  totalPages: Math.ceil(total / query.limit),
});

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.unknown().nullable(),
    }),
  })
  .meta({ id: 'Error' });
