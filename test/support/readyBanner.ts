import type { ChildProcess } from 'node:child_process';

/**
 * What a started platform process has printed so far, and a promise that settles once its
 * banner says it is ready, or fails with everything it printed if it exits first.
 */
export function untilReady(child: ChildProcess, what: string): { ready: Promise<void>; output: () => string } {
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Order platform is ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before it was ready:\n${output}`)));
  });
  return { ready, output: () => output };
}
