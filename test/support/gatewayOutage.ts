import { startPaymentGatewayProcess, type PaymentGatewayProcess } from '../../src/platform/paymentGatewayProcess';
import { testEnvironment } from './environment';
import { freePort } from './ports';

/**
 * A gateway simulator of a test's own, down from the start: it answers every request
 * 503 (failure rate 1) until `end()` replaces it with a healthy one on the same port,
 * as a gateway coming back from an outage would.
 */
export async function gatewayOutage(): Promise<{ url: string; end(): Promise<void>; stop(): Promise<void> }> {
  const port = await freePort();
  const start = (failureRate: number) => startPaymentGatewayProcess({ databaseUrl: testEnvironment().databaseUrl, port, failureRate, logLevel: 'error' });
  let current: PaymentGatewayProcess = await start(1);
  return {
    url: current.url,
    async end() {
      await current.stop();
      current = await start(0);
    },
    stop: () => current.stop(),
  };
}

/** Past a charge call's 5 attempts (about 15 s of backoff), where an outage used to fail the order. */
export const LONGER_THAN_A_CHARGE_CALL_MS = 20_000;
