/**
 * What globalSetup started, handed to every test file through one environment
 * variable (test workers inherit the environment of the process that ran globalSetup).
 */
export interface TestEnvironment {
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  workflowBundlePath: string;
  temporalCliPath: string;
  workDir: string;
  /** The payment gateway simulator's base URL (its own process, schema payment_gateway). */
  paymentGatewayUrl: string;
  /** The data platform simulator's base URL (its own process, schema data_platform). */
  dataPlatformUrl: string;
  /** The Temporal Web UI (the dev server's, or TEST_TEMPORAL_UI_URL with an external cluster). */
  temporalUiUrl?: string;
}

const VARIABLE = 'ORDER_PLATFORM_TEST_ENVIRONMENT';

export const publishTestEnvironment = (env: TestEnvironment): void => {
  process.env[VARIABLE] = JSON.stringify(env);
};

export function testEnvironment(): TestEnvironment {
  const raw = process.env[VARIABLE];
  if (!raw) throw new Error('the test environment is missing: run the tests through jest (npm test)');
  return JSON.parse(raw) as TestEnvironment;
}
