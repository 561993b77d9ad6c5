import { OptimisticLockConflict, retryOnConflict } from '../../src/activities/conflictRetry';

describe('retryOnConflict', () => {
  const clock = () => {
    let now = 0;
    const slept: number[] = [];
    return {
      slept,
      options: {
        budgetMs: 5_000,
        random: () => 0,
        now: () => now,
        sleep: async (ms: number) => {
          slept.push(ms);
          now += ms;
        },
      },
    };
  };

  it('retries lost races with growing delays until the attempt commits', async () => {
    const { slept, options } = clock();
    let attempts = 0;
    const result = await retryOnConflict(async () => {
      attempts += 1;
      if (attempts < 5) throw new OptimisticLockConflict('option');
      return 'committed';
    }, options);
    expect(result).toBe('committed');
    expect(slept).toEqual([50, 100, 200, 400]);
  });

  it('treats PostgreSQL deadlocks, serialization failures and lock timeouts as races', async () => {
    const { options } = clock();
    const errors = [
      Object.assign(new Error('deadlock'), { code: '40P01' }),
      Object.assign(new Error('ser'), { code: '40001' }),
      Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }),
    ];
    const result = await retryOnConflict(async () => {
      const next = errors.shift();
      if (next) throw next;
      return 'ok';
    }, options);
    expect(result).toBe('ok');
  });

  it('passes any other error straight through, without retrying', async () => {
    const { slept, options } = clock();
    const failure = new Error('OUT_OF_STOCK');
    await expect(retryOnConflict(async () => Promise.reject(failure), options)).rejects.toBe(failure);
    expect(slept).toEqual([]);
  });

  it('hands a race that outlasts the budget back to Temporal as a retryable failure', async () => {
    const { options } = clock();
    await expect(
      retryOnConflict(async () => Promise.reject(new OptimisticLockConflict('hot')), { ...options, budgetMs: 3_000 }),
    ).rejects.toMatchObject({ type: 'STOCK_CONTENTION', nonRetryable: false });
  });
});
