import type { z } from 'zod';
import { ApiError } from './errors';

export interface FieldIssue {
  in: 'body' | 'query' | 'params' | 'headers';
  path: string;
  message: string;
}

/** Parses one part of a request; a failure is a 400 that names every bad field. */
export function parseRequestPart<S extends z.ZodType>(schema: S, value: unknown, part: FieldIssue['in']): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    in: part,
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw new ApiError('VALIDATION_FAILED', `invalid request ${part}: ${summary}`, { issues });
}
