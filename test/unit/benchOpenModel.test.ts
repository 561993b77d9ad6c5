import { openModel } from '../../bench/lib/openModel';
import { summarise } from '../../bench/lib/stats';

/** The benchmark's load shape and its arithmetic: its numbers are only as good as these. */
describe('open-model load', () => {
  beforeAll(() => jest.spyOn(process.stderr, 'write').mockImplementation(() => true));
  afterAll(() => jest.restoreAllMocks());

  it('keeps sending while earlier arrivals are still open, and stops at the backlog limit', async () => {
    const release: (() => void)[] = [];
    // Arrivals that never finish on their own: a platform that has stopped answering.
    const running = openModel({ label: 'test', ratePerSecond: 100, seconds: 1, maxBacklogSeconds: 0.1 }, (index) =>
      new Promise<number>((resolve) => release.push(() => resolve(index))),
    );
    while (release.length < 10) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release.forEach((done) => done());
    const run = await running;

    expect(run.offered).toBe(100);
    expect(run.sent).toBe(10);
    expect(run.saturated).toBe(true);
    expect(run.results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('sends every arrival of a rate the platform keeps up with, each at its due time', async () => {
    const run = await openModel({ label: 'test', ratePerSecond: 50, seconds: 0.4 }, async (index, dueAt) => ({ index, dueAt }));

    expect(run.sent).toBe(20);
    expect(run.saturated).toBe(false);
    expect(run.results.map((r) => r.index)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Due times are fixed by the rate, whatever the event loop did: 20 ms apart.
    expect(run.results.map((r) => Math.round(r.dueAt - run.results[0].dueAt))).toEqual(Array.from({ length: 20 }, (_, i) => i * 20));
  });

  it('summarises latencies as nearest-rank percentiles', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(summarise(hundred)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(summarise([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});
