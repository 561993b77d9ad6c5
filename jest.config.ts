import type { Config } from 'jest';

// Integration tests share one PostgreSQL and one Temporal dev server started in
// globalSetup; starting them takes tens of seconds on a cold machine, and a flash-sale
// test waits on ~100 workflows, so timeouts are generous.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  setupFiles: ['<rootDir>/test/support/quietTemporal.ts'],
  testTimeout: 120_000,
  // Two cores: test files run one after another so a concurrency test is not starved
  // by another file's load.
  maxWorkers: 1,
};

export default config;
