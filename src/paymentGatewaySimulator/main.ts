import { runSimulatorProcess } from '../simulatorKit/processMain';
import { loadGatewayConfig } from './config';
import { startPaymentGatewaySimulator } from './server';

/** The simulator as its own process (see docs/payment-gateway.md). */
void runSimulatorProcess({
  loggerName: 'payment-gateway',
  title: 'payment gateway simulator',
  loadConfig: () => loadGatewayConfig(),
  start: (config, logger) => startPaymentGatewaySimulator({ ...config, logger }),
  readyFields: (config) => ({ failureRate: config.failureRate, latencyMs: config.latencyMs, timeoutHangMs: config.timeoutHangMs }),
  failureHint: 'check GATEWAY_DATABASE_URL',
});
