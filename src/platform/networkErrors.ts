/** fetch reports "fetch failed"; the reason (ECONNREFUSED, "other side closed") is its cause. */
export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return [(error as Error)?.message, cause?.code, cause?.message].filter(Boolean).join(': ');
}
