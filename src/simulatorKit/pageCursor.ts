import type { z } from 'zod';

/** An opaque page cursor: the sort key of the last item of a page, which the next page starts after. */
export const writePageCursor = (key: unknown): string => Buffer.from(JSON.stringify(key)).toString('base64url');

/** The sort key a cursor holds, or undefined when it is not one `writePageCursor` made with this shape. */
export function readPageCursor<S extends z.ZodType>(cursor: string, key: S): z.output<S> | undefined {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = key.safeParse(decoded);
  return parsed.success ? parsed.data : undefined;
}
