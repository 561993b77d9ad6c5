import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import { reachableUrl } from '../platform/ports';

export interface HttpService {
  url: string;
  /** Lets requests in progress finish (for at most DRAIN_MS), then closes every connection. */
  close(): Promise<void>;
}

/** Requests still running this long after a stop are cut off. */
const DRAIN_MS = 3000;

export interface HttpOptions {
  /** The largest request head it reads (Node's default: 16 KiB); a larger one is answered 431. */
  maxHeaderSize?: number;
}

/** Serves `app` on host and port (0 lets the OS pick), resolving once it listens. */
export async function serveHttp(app: express.Express, host: string, port: number, options: HttpOptions = {}): Promise<HttpService> {
  const server = createServer({ maxHeaderSize: options.maxHeaderSize }, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { url: reachableUrl(host, (server.address() as AddressInfo).port), close: drainOnClose(server) };
}

/**
 * Returns a close that lets requests in progress finish (for at most DRAIN_MS), then
 * closes every connection. `server.close()` alone would also wait for connections that
 * carry no request, such as the one fetch opens again after a caller gives up waiting.
 */
function drainOnClose(server: Server): () => Promise<void> {
  let inFlight = 0;
  let closing = false;
  server.on('request', (_req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (closing && inFlight === 0) server.closeAllConnections();
    });
  });
  return () =>
    new Promise<void>((resolve) => {
      closing = true;
      const cutOff = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      server.close(() => {
        clearTimeout(cutOff);
        resolve();
      });
      if (inFlight === 0) server.closeAllConnections();
    });
}
