import { ConfigError } from '../../src/config';
import { loadDataPlatformConfig } from '../../src/dataPlatformSimulator/config';

const databaseUrl = 'postgres://user:pass@db:5432/order_platform';

const badVariables = (env: Record<string, string>): string[] => {
  try {
    loadDataPlatformConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map((i) => i.variable).sort();
  }
};

describe('loadDataPlatformConfig', () => {
  it('needs only the database URL, and starts with no faults', () => {
    expect(loadDataPlatformConfig({ DATA_PLATFORM_DATABASE_URL: databaseUrl })).toEqual({
      databaseUrl,
      host: '127.0.0.1',
      port: 4200,
      faults: { unavailable: false, failureRate: 0, dropAfterRecordRate: 0, latencyMs: [0, 0] },
      logLevel: 'info',
      logFormat: undefined,
    });
  });

  it('reads its own variables', () => {
    const config = loadDataPlatformConfig({
      DATA_PLATFORM_DATABASE_URL: databaseUrl,
      DATA_PLATFORM_HOST: '0.0.0.0',
      DATA_PLATFORM_PORT: '4300',
      DATA_PLATFORM_FAILURE_RATE: '0.25',
      DATA_PLATFORM_DROP_AFTER_RECORD_RATE: '1',
      DATA_PLATFORM_LATENCY_MS: '20-200',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
    });

    expect(config).toEqual({
      databaseUrl,
      host: '0.0.0.0',
      port: 4300,
      faults: { unavailable: false, failureRate: 0.25, dropAfterRecordRate: 1, latencyMs: [20, 200] },
      logLevel: 'debug',
      logFormat: 'json',
    });
    expect(loadDataPlatformConfig({ DATA_PLATFORM_DATABASE_URL: databaseUrl, DATA_PLATFORM_LATENCY_MS: '50' }).faults.latencyMs).toEqual([50, 50]);
  });

  it('names every bad variable in one ConfigError', () => {
    expect(() => loadDataPlatformConfig({})).toThrow(/DATA_PLATFORM_DATABASE_URL/);
    expect(
      badVariables({
        DATA_PLATFORM_DATABASE_URL: 'mysql://db/x',
        DATA_PLATFORM_PORT: '70000',
        DATA_PLATFORM_FAILURE_RATE: '1.5',
        DATA_PLATFORM_DROP_AFTER_RECORD_RATE: '-0.1',
        DATA_PLATFORM_LATENCY_MS: '200-20',
        LOG_LEVEL: 'loud',
      }),
    ).toEqual([
      'DATA_PLATFORM_DATABASE_URL',
      'DATA_PLATFORM_DROP_AFTER_RECORD_RATE',
      'DATA_PLATFORM_FAILURE_RATE',
      'DATA_PLATFORM_LATENCY_MS',
      'DATA_PLATFORM_PORT',
      'LOG_LEVEL',
    ]);
    expect(badVariables({ DATA_PLATFORM_DATABASE_URL: databaseUrl, DATA_PLATFORM_LATENCY_MS: 'slow' })).toEqual(['DATA_PLATFORM_LATENCY_MS']);
    expect(badVariables({ DATA_PLATFORM_DATABASE_URL: databaseUrl, DATA_PLATFORM_LATENCY_MS: '0-60001' })).toEqual(['DATA_PLATFORM_LATENCY_MS']);
  });

  it('reads nothing of the gateway or the platform', () => {
    const config = loadDataPlatformConfig({ DATA_PLATFORM_DATABASE_URL: databaseUrl, GATEWAY_PORT: '1', PORT: '2', GATEWAY_FAILURE_RATE: '1' });

    expect(config.port).toBe(4200);
    expect(config.faults.failureRate).toBe(0);
  });
});
