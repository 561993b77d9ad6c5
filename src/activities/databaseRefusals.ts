import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';

/**
 * SQLSTATE classes whose errors no retry can mend: 22, a data exception (input the column
 * cannot hold), and 23, an integrity constraint violation (a foreign key, a check, a
 * unique key the activity did not expect). Retried, they fail the same way for as long
 * as the retry policy allows. Class 40 (serialization, deadlock) and connection errors
 * are passing and stay retryable.
 */
const UNMENDABLE_SQLSTATE_CLASSES = new Set(['22', '23']);

interface DatabaseError {
  code: string;
  constraint?: string;
  table?: string;
  message: string;
}

export const isUnmendableDatabaseError = (error: unknown): error is DatabaseError => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && UNMENDABLE_SQLSTATE_CLASSES.has(code.slice(0, 2));
};

/** The failure type an activity ends with when PostgreSQL refused its statement for good. */
export const DATABASE_REFUSED = 'DATABASE_REFUSED';

/**
 * Turns a database error that no retry can mend, left uncaught by an activity, into a
 * non-retryable failure naming the SQLSTATE and the constraint: the workflow sees it at
 * once instead of the activity retrying it for its whole schedule. Errors an activity
 * expects (a unique key it treats as "already done") are caught inside it and never
 * reach here.
 */
class DatabaseRefusals implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    try {
      return await next(input);
    } catch (error) {
      if (!isUnmendableDatabaseError(error)) throw error;
      throw ApplicationFailure.create({
        type: DATABASE_REFUSED,
        // Knex puts the statement before PostgreSQL's own words; the statement stays out of the history.
        message: `PostgreSQL refused the statement (SQLSTATE ${error.code}${error.constraint ? `, constraint ${error.constraint}` : ''}): ${error.message.split(' - ').pop()}`,
        nonRetryable: true,
        details: [{ sqlstate: error.code, constraint: error.constraint ?? null, table: error.table ?? null }],
      });
    }
  }
}

export const databaseRefusals: ActivityInterceptorsFactory = () => ({ inbound: new DatabaseRefusals() });
