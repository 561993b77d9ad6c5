import { latencySetting } from '../simulatorKit/settings';
import type { ServiceProcess } from './serviceProcess';
import { startSimulatorProcess, type SimulatorProcessOptions } from './simulatorProcess';

export interface PaymentGatewayProcessOptions extends SimulatorProcessOptions {
  failureRate?: number;
  latencyMs?: [number, number];
  timeoutHangMs?: number;
}

export type PaymentGatewayProcess = ServiceProcess;

const gatewaySimulator = {
  name: 'the payment gateway simulator',
  folder: 'paymentGatewaySimulator',
  prefix: 'GATEWAY',
  portSetting: 'the gateway port (GATEWAY_PORT)',
};

/** The payment gateway simulator in a process of its own (src/paymentGatewaySimulator), from its GATEWAY_* settings. */
export function startPaymentGatewayProcess(options: PaymentGatewayProcessOptions): Promise<PaymentGatewayProcess> {
  return startSimulatorProcess(gatewaySimulator, options, {
    GATEWAY_FAILURE_RATE: String(options.failureRate ?? 0),
    GATEWAY_LATENCY_MS: latencySetting(options.latencyMs ?? [0, 0]),
    GATEWAY_TIMEOUT_HANG_MS: String(options.timeoutHangMs ?? 30_000),
  });
}
