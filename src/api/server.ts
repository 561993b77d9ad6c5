import http, { type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Express } from 'express';
import { statusOf, type ErrorBody, type ErrorCode } from './errors';

/** Node's limit on a request's headers and URL together (its default, stated). */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * What a request Node's HTTP parser refuses before Express sees it gets: the documented
 * error body, not the parser's empty 400 or 431. Headers and URL past MAX_HEADER_BYTES
 * are 431; anything else unparsable (control characters in a header, a broken request
 * line) is 400. The connection is closed after the answer: its stream cannot be trusted.
 */
function answerParserError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (error as { code?: string }).code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const code: ErrorCode = error.code === 'HPE_HEADER_OVERFLOW' ? 'REQUEST_HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST';
  const body: ErrorBody = {
    error: {
      code,
      message: code === 'REQUEST_HEADERS_TOO_LARGE' ? `the request's headers and URL are over ${MAX_HEADER_BYTES} bytes` : 'the request is not valid HTTP',
      details: null,
    },
  };
  const text = JSON.stringify(body);
  const status = statusOf[code];
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

/** The API's HTTP server, listening; refused requests answered as the API answers. */
export function serveApi(app: Express, port: number, host: string): Promise<Server> {
  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, app);
  server.on('clientError', answerParserError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
