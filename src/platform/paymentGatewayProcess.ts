import path from 'node:path';
import { startServiceProcess, type ServiceProcess } from './serviceProcess';

export interface PaymentGatewayProcessOptions {
  databaseUrl: string;
  host?: string;
  port: number;
  failureRate?: number;
  latencyMs?: [number, number];
  timeoutHangMs?: number;
  logLevel?: string;
  /** Each line the simulator prints (JSON log events); otherwise only the last few are kept. */
  onLog?: (line: string) => void;
}

export type PaymentGatewayProcess = ServiceProcess;

/** The payment gateway simulator in a process of its own (src/paymentGatewaySimulator), from its GATEWAY_* settings. */
export function startPaymentGatewayProcess(options: PaymentGatewayProcessOptions): Promise<PaymentGatewayProcess> {
  const host = options.host ?? '127.0.0.1';
  const latency = options.latencyMs ?? [0, 0];
  return startServiceProcess({
    name: 'the payment gateway simulator',
    directory: path.join(__dirname, '..', 'paymentGatewaySimulator'),
    portSetting: 'the gateway port (GATEWAY_PORT)',
    host,
    port: options.port,
    env: {
      GATEWAY_DATABASE_URL: options.databaseUrl,
      GATEWAY_HOST: host,
      GATEWAY_PORT: String(options.port),
      GATEWAY_FAILURE_RATE: String(options.failureRate ?? 0),
      GATEWAY_LATENCY_MS: latency[0] === latency[1] ? String(latency[0]) : `${latency[0]}-${latency[1]}`,
      GATEWAY_TIMEOUT_HANG_MS: String(options.timeoutHangMs ?? 30_000),
      LOG_LEVEL: options.logLevel ?? 'info',
    },
    onLog: options.onLog,
  });
}
