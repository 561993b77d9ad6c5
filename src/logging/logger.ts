import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * One JSON event per line for machines; coloured single lines when a person watches a
 * terminal. Secrets never reach the log: auth headers, passwords, access tokens and card
 * tokens are redacted (test/startup/npmStart.test.ts greps a debug-level run for them).
 */
export function createLogger(options: { level: string; name?: string; pretty?: boolean; format?: 'pretty' | 'json' }): Logger {
  // An explicit format (LOG_FORMAT) wins; otherwise pretty on a terminal.
  const pretty = options.pretty ?? (options.format ? options.format === 'pretty' : process.stdout.isTTY === true);
  return pino({
    name: options.name,
    level: options.level,
    // The Temporal SDK reports failures under `error`; serialise them like `err`.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        '*.password',
        '*.passwordHash',
        'password',
        'passwordHash',
        // Access tokens and card tokens, wherever an event carries them (an activity's input included).
        'accessToken',
        '*.accessToken',
        'cardToken',
        '*.cardToken',
        '*.*.cardToken',
      ],
      censor: '[redacted]',
    },
    transport: pretty
      ? {
          target: 'pino-pretty',
          options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
        }
      : undefined,
  });
}
