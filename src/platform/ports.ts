import net from 'node:net';

/**
 * Fails fast, naming the setting to change, when a port the platform is about to use is
 * taken (typically by a second `npm start`). Without this the dev server would exit
 * while our readiness check happily talked to the other instance.
 */
export async function assertPortFree(port: number, host: string, setting: string): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
  if (!free) throw new Error(`port ${port} is already in use (is another npm start running?); set ${setting} to another port`);
}

/** A TCP port that was free a moment ago (the OS picks it): tests and benchmarks run stacks on these. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
