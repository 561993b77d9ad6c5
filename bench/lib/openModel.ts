/**
 * An open-model load: arrivals at a fixed rate whether or not earlier ones have finished,
 * as shoppers arrive on a sale day. Each arrival's latency is measured from the moment
 * it was due, not from when it was sent, so a loaded load generator or a slow platform
 * cannot hide waiting (coordinated omission).
 *
 * When the platform cannot keep up, the work still in flight grows without bound and a
 * 60-second run would take many minutes to drain. Arrivals stop early once the backlog
 * holds more than `maxBacklogSeconds` worth of arrivals; the step is then reported as
 * saturated, and what was in flight is still awaited and counted.
 */
export interface OpenModelOptions {
  label: string;
  ratePerSecond: number;
  seconds: number;
  maxBacklogSeconds?: number;
}

export interface OpenModelRun<T> {
  /** One entry per arrival that was sent, in arrival order. */
  results: T[];
  offered: number;
  sent: number;
  saturated: boolean;
  /** From the first arrival's due time to the last one's completion. */
  seconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function openModel<T>(
  options: OpenModelOptions,
  arrival: (index: number, dueAt: number) => Promise<T>,
): Promise<OpenModelRun<T>> {
  const offered = Math.round(options.ratePerSecond * options.seconds);
  const interval = 1000 / options.ratePerSecond;
  const backlogLimit = Math.max(1, Math.ceil(options.ratePerSecond * (options.maxBacklogSeconds ?? 10)));
  const started = performance.now();
  const pending: Promise<T>[] = [];
  let inFlight = 0;
  let done = 0;
  let saturated = false;
  const show = () => {
    const elapsed = (performance.now() - started) / 1000;
    process.stderr.write(`\r  ${options.label}: ${pending.length}/${offered} sent, ${done} done, ${inFlight} in flight, ${elapsed.toFixed(0)} s   `);
  };
  const timer = setInterval(show, 500);
  try {
    for (let index = 0; index < offered; index += 1) {
      const dueAt = started + index * interval;
      const wait = dueAt - performance.now();
      if (wait > 1) await sleep(wait);
      if (inFlight >= backlogLimit) {
        saturated = true;
        break;
      }
      inFlight += 1;
      pending.push(
        arrival(index, dueAt).finally(() => {
          inFlight -= 1;
          done += 1;
        }),
      );
    }
    const results = await Promise.all(pending);
    return { results, offered, sent: pending.length, saturated, seconds: (performance.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
    show();
    process.stderr.write('\n');
  }
}
