import os from 'node:os';
import { ConfigError, loadConfig } from '../../src/config';

describe('loadConfig', () => {
  it('has working defaults for development', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.temporal.address).toBeUndefined();
    expect(config.temporal.taskQueue).toBe('order-platform');
    expect(config.auth.adminEmail).toBe('admin@example.com');
    expect(config.orders).toEqual({
      reservationTtlMs: 600_000,
      stockLocking: 'version-check',
      limits: { maxUnitsPerLine: 10, maxLines: 20, maxPendingOrders: 5, maxReservedUnits: 20 },
    });
    expect(config.auth.limits).toEqual({ perAddressPerMinute: 60, perAccountPerMinute: 10 });
    expect(config.auth.hashing).toEqual({ concurrency: Math.max(1, Math.floor(os.availableParallelism() / 2)), queue: 64, niceness: 10 });
    expect(config.metrics).toEqual({ apiPort: 9464, workerPort: 9465 });
    expect(config.auth.refusalDelayMs).toBe(1000);
    expect(loadConfig({ CORS_ORIGINS: 'https://shop.example, https://admin.shop.example' }).http.corsOrigins).toEqual(['https://shop.example', 'https://admin.shop.example']);
    expect(() => loadConfig({ CORS_ORIGINS: 'not a url' })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ STOCK_LOCKING: 'for-update' }).orders.stockLocking).toBe('for-update');
    expect(() => loadConfig({ STOCK_LOCKING: 'optimistic' })).toThrow(/STOCK_LOCKING/);
    // Unset, the saga keeps its own budget; set, every payment the API starts carries it.
    expect(config.paymentGateway.outageBudgetMs).toBeUndefined();
    expect(loadConfig({ GATEWAY_OUTAGE_BUDGET_SECONDS: '20' }).paymentGateway.outageBudgetMs).toBe(20_000);
    expect(loadConfig({ GATEWAY_UNKNOWN_OUTCOME_BUDGET_SECONDS: '30' }).paymentGateway.unknownOutcomeBudgetMs).toBe(30_000);
    expect(() => loadConfig({ GATEWAY_OUTAGE_BUDGET_SECONDS: '0' })).toThrow(/GATEWAY_OUTAGE_BUDGET_SECONDS/);
  });

  it('delivers to the data platform simulator every 10 s by default, backing off from 5 s to 5 minutes', () => {
    const config = loadConfig({});
    expect(config.dataPlatform).toEqual({ url: undefined, port: 4200, timeoutMs: 5_000, backoff: { initialMs: 5_000, maxMs: 300_000 } });
    expect(config.maintenance.delivery).toEqual({ intervalMs: 10_000, batchSize: 100, concurrency: 8, budgetMs: 30_000, attentionAfterMs: 900_000 });
    const tuned = loadConfig({ DATA_PLATFORM_URL: 'https://data.example/ingest', DELIVERY_INTERVAL_SECONDS: '2', DELIVERY_RETRY_INITIAL_SECONDS: '60', DELIVERY_RETRY_MAX_SECONDS: '30' });
    expect(tuned.dataPlatform.url).toBe('https://data.example/ingest');
    expect(tuned.maintenance.delivery.intervalMs).toBe(2_000);
    // A max below the first wait would shorten it: the first wait is the floor.
    expect(tuned.dataPlatform.backoff).toEqual({ initialMs: 60_000, maxMs: 60_000 });
    expect(() => loadConfig({ DATA_PLATFORM_URL: 'ftp://data.example' })).toThrow(/DATA_PLATFORM_URL/);
    expect(() => loadConfig({ DELIVERY_ATTENTION_AFTER_SECONDS: '1' })).toThrow(/DELIVERY_ATTENTION_AFTER_SECONDS/);
  });

  it('names the variable that holds a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'not a url' });
    } catch (error) {
      const variables = (error as ConfigError).issues.map((i) => i.variable).sort();
      expect(variables).toEqual(['DATABASE_URL', 'PORT']);
      expect((error as ConfigError).message).toContain('PORT');
    }
    expect.assertions(3);
  });

  it('checks the shape of connection settings', () => {
    const variablesIn = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).issues.map((i) => i.variable);
      }
    };
    expect(variablesIn({ DATABASE_URL: 'http://db:5432/x' })).toEqual(['DATABASE_URL']);
    expect(variablesIn({ TEMPORAL_ADDRESS: 'temporal' })).toEqual(['TEMPORAL_ADDRESS']);
    expect(variablesIn({ TEMPORAL_ADDRESS: 'http://temporal:7233' })).toEqual(['TEMPORAL_ADDRESS']);
    expect(variablesIn({ DATABASE_URL: 'postgresql://u:p@db:5432/x', TEMPORAL_ADDRESS: 'temporal:7233' })).toEqual([]);
  });

  it('treats an empty optional variable as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: '' }).database.url).toBeUndefined();
  });

  it('refuses the dev credentials in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET[\s\S]*ADMIN_PASSWORD/);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), ADMIN_PASSWORD: 'a-real-secret' });
    expect(config.env).toBe('production');
  });
});
