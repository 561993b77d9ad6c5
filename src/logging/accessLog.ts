import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp, type Options } from 'pino-http';
import type { Logger } from './logger';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * pino-http's request id: the caller's X-Request-Id (a gateway's, a retry's) when it is
 * sane, so one id follows the request through every service's logs; otherwise a new
 * one. Echoed in the response either way.
 */
export function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * The access log both HTTP services use: each request under its request id (above),
 * logged as method and URL only (no headers: they carry tokens), at the level each
 * service's `customLogLevel` picks.
 */
export const accessLog = (logger: Logger, options: Pick<Options, 'customLogLevel' | 'quietReqLogger'>) =>
  pinoHttp({
    logger,
    genReqId: requestIdFor,
    serializers: { req: (req) => ({ id: req.id, method: req.method, url: req.url }) },
    ...options,
  });
