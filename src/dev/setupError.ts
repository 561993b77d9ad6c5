/**
 * A start-up problem the operator fixes, not a bug: its message is one line that names
 * what is wrong and the fix, and is shown as it is, without a stack trace.
 */
export class SetupError extends Error {
  override name = 'SetupError';
}
