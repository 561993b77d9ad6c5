import net from 'node:net';

/**
 * Fails fast, naming the setting to change, when a port the platform is about to use is
 * taken (typically by a second `npm start`). Without this the dev server would exit
 * while our readiness check happily talked to the other instance.
 */
export async function assertPortFree(port: number, host: string, setting: string): Promise<void> {
  if (!(await isPortFree(port, host))) throw new Error(`port ${port} is already in use (is another npm start running?); set ${setting} to another port`);
}

/** The URL a caller on this machine reaches a server listening on host:port by: loopback for the wildcard addresses. */
export function reachableUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function isPortFree(port: number, host: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below `below`, for programs that store ports in a narrower type than the
 * OS's ephemeral range fits (the Temporal server keeps membership ports in a smallint).
 */
export async function freePortBelow(below: number, from = 20_000): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = from + Math.floor(Math.random() * (below - from));
    if (await isPortFree(port, '127.0.0.1')) return port;
  }
  throw new Error(`no free port found between ${from} and ${below}`);
}

/** A TCP port that was free a moment ago (the OS picks it): tests and benchmarks run stacks on these. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * `count` different free ports, for one stack's services: all are held open together
 * while the OS picks them, since ports asked for one after the other may repeat.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => net.createServer());
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
          }),
      ),
    );
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => (server.listening ? server.close(resolve) : resolve(undefined)))));
  }
}
