import { Agent, request } from 'undici';

/**
 * The load generator's HTTP client: undici with a connection pool as large as the
 * burst, so a thousand requests really are in flight at once (fetch's default agent
 * would queue them behind a few sockets).
 */
export interface Reply<T = any> {
  status: number;
  body: T;
  ms: number;
}

export function createHttp(baseUrls: string | string[], connections = 1024, timeoutMs = 600_000) {
  const dispatcher = new Agent({ connections, pipelining: 1, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  // Several API processes: requests go round the list, as a load balancer would spread them.
  const bases = [baseUrls].flat();
  let next = 0;
  return {
    async call<T = any>(method: string, path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}): Promise<Reply<T>> {
      const baseUrl = bases[next++ % bases.length];
      const started = performance.now();
      const response = await request(baseUrl + path, {
        method: method as 'GET',
        dispatcher,
        headers: {
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.body.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text for the report
      }
      return { status: response.statusCode, body: body as T, ms: performance.now() - started };
    },
    close: () => dispatcher.close(),
  };
}

export type Http = ReturnType<typeof createHttp>;
