/** Deeper than this, a payload is refused: nothing an order needs, and it bounds the walk below. */
const MAX_DEPTH = 32;

/** A UTF-16 surrogate without its pair: JSON can carry one, jsonb refuses it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const unstorableText = (s: string): string | undefined =>
  s.includes('\u0000') ? 'must not contain NUL characters' : LONE_SURROGATE.test(s) ? 'must not contain unpaired UTF-16 surrogates' : undefined;

export interface PayloadProblem {
  path: (string | number)[];
  message: string;
}

/**
 * The first part of a parsed JSON body that PostgreSQL's jsonb would refuse (a string or
 * key holding NUL or an unpaired surrogate) or that nests deeper than MAX_DEPTH, so a
 * bad payload is a 400 and never a failed insert's 500.
 */
export function unstorablePart(value: unknown, path: (string | number)[] = []): PayloadProblem | undefined {
  if (path.length > MAX_DEPTH) return { path, message: `must not nest deeper than ${MAX_DEPTH} levels` };
  if (typeof value === 'string') {
    const message = unstorableText(value);
    return message ? { path, message } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    const keyMessage = typeof key === 'string' ? unstorableText(key) : undefined;
    const problem = keyMessage ? { path: [...path, key], message: `key ${keyMessage}` } : unstorablePart(item, [...path, key]);
    if (problem) return problem;
  }
  return undefined;
}
