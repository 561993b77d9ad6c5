import { cpuSecondsByPart, cpuSnapshot } from './cpuUsage';

/**
 * Runs every task at once (a rush: all arrive together) and shows progress on stderr:
 * how many finished, and the rate so far. Also says how many CPU seconds each part of
 * the stack spent meanwhile.
 */
export async function burst<T>(label: string, tasks: (() => Promise<T>)[]): Promise<{ results: T[]; seconds: number; cpuSeconds: Record<string, number> }> {
  const cpuBefore = cpuSnapshot();
  const started = performance.now();
  let done = 0;
  const show = () => {
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(`\r  ${label}: ${done}/${tasks.length} done, ${(done / Math.max(seconds, 0.001)).toFixed(1)}/s   `);
  };
  const timer = setInterval(show, 250);
  try {
    const results = await Promise.all(
      tasks.map((task) =>
        task().finally(() => {
          done += 1;
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    return { results, seconds, cpuSeconds: cpuSecondsByPart(cpuBefore, cpuSnapshot()) };
  } finally {
    clearInterval(timer);
    show();
    process.stderr.write('\n');
  }
}

/** Runs tasks a few at a time (set-up work that is not being measured). */
export async function inBatches<T>(tasks: (() => Promise<T>)[], size: number): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += size) results.push(...(await Promise.all(tasks.slice(i, i + size).map((t) => t()))));
  return results;
}
