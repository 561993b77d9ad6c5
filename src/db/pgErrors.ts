/** Postgres' error code for a unique-constraint violation. */
export const UNIQUE_VIOLATION = '23505';

/** A unique-constraint violation (of `constraint`, when named): for the platform and the simulators alike. */
export const isUniqueViolation = (error: unknown, constraint?: string): boolean => {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint);
};
