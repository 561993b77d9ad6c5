import { ShutdownStack } from '../../src/platform/shutdownStack';

describe('ShutdownStack', () => {
  it('stops in reverse start order, each step after the previous one finished', async () => {
    const events: string[] = [];
    const stack = new ShutdownStack();
    for (const name of ['postgres', 'temporal', 'pool', 'api']) {
      stack.push(name, async () => {
        events.push(`begin ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`end ${name}`);
      });
    }
    await stack.run((name) => events.push(`reported ${name}`));
    events.push('done');
    expect(events).toEqual([
      ...['api', 'pool', 'temporal', 'postgres'].flatMap((n) => [`begin ${n}`, `end ${n}`, `reported ${n}`]),
      'done',
    ]);
  });

  it('reports a failing or stuck step and still runs the rest', async () => {
    const reports: [string, string | undefined][] = [];
    const stack = new ShutdownStack();
    stack.push('last', async () => undefined);
    stack.push('stuck', () => new Promise(() => undefined));
    stack.push('broken', async () => {
      throw new Error('boom');
    });
    await stack.run((name, error) => reports.push([name, (error as Error | undefined)?.message]), 50);
    expect(reports).toEqual([
      ['broken', 'boom'],
      ['stuck', 'did not stop within 50 ms'],
      ['last', undefined],
    ]);
  });
});
