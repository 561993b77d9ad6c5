import type { Logger as TemporalLogger, LogLevel, LogMetadata } from '@temporalio/common';
import { isBusinessErrorCode } from '../domain/errors';
import type { Logger } from './logger';

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The SDK warns about every failed activity and workflow. A business refusal (SOLD_OUT,
 * OUT_OF_STOCK, ...) is an expected outcome, thousands of them in a rush; logged at info
 * it stays searchable without burying the warnings that need an operator.
 */
function levelFor(level: LogLevel, meta?: LogMetadata): LogLevel {
  const failureType = (meta?.error as { type?: unknown } | undefined)?.type;
  return level === 'WARN' && isBusinessErrorCode(failureType) ? 'INFO' : level;
}

/**
 * Routes the Temporal SDK's logs (worker, activity and workflow loggers, which carry
 * workflowId, runId and activity ids as metadata) into our pino logger.
 */
export function toTemporalLogger(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => logger[levels[levelFor(level, meta)]](meta ?? {}, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
