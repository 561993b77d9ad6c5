import type { Request } from 'express';
import type { z } from 'zod';
import type { SimulatorErrors } from './httpError';
import { idempotencyKeySchema } from './schemas';

export type RequestPart = 'body' | 'query' | 'params' | 'header';

/** The reading of request parts, refusing a bad one with the simulator's 400 naming every bad field. */
export function requestParts<C extends string>({ HttpError, codes }: SimulatorErrors<C>) {
  function parse<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart): z.output<S> {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => ({ in: part, path: issue.path.map(String).join('.'), message: issue.message }));
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    throw new HttpError(codes.validationFailed, `invalid request ${part}: ${summary}`, { issues });
  }
  return {
    parse,
    idempotencyKeyOf: (req: Request): string => parse(idempotencyKeySchema, req.get('Idempotency-Key'), 'header'),
  };
}
