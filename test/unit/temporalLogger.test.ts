import { ApplicationFailure } from '@temporalio/common';
import pino from 'pino';
import { toTemporalLogger } from '../../src/logging/temporalLogger';

describe('toTemporalLogger', () => {
  const capture = () => {
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    return { lines, temporal: toTemporalLogger(logger) };
  };

  it('keeps the SDK level, with its metadata', () => {
    const { lines, temporal } = capture();
    temporal.warn('Activity failed', { workflowId: 'w', error: new Error('connection refused') });
    temporal.info('Worker state changed', { state: 'RUNNING' });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'Activity failed'],
      [30, 'Worker state changed'],
    ]);
    expect(lines[0]).toMatchObject({ workflowId: 'w' });
  });

  it('logs a business refusal at info, not as a warning', () => {
    const { lines, temporal } = capture();
    const refusal = ApplicationFailure.create({ type: 'SOLD_OUT', message: 'gone', nonRetryable: true });
    temporal.warn('Activity failed', { error: refusal });
    temporal.warn('Activity failed', { error: ApplicationFailure.create({ type: 'SOMETHING_ELSE', message: 'x' }) });
    expect(lines.map((l) => l.level)).toEqual([30, 40]);
  });
});
