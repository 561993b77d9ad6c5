import path from 'node:path';
import { startServiceProcess, type ServiceProcess } from './serviceProcess';

/** What every simulator's process is started with; each simulator adds its faults. */
export interface SimulatorProcessOptions {
  databaseUrl: string;
  host?: string;
  port: number;
  logLevel?: string;
  /** Each line the simulator prints (JSON log events); otherwise only the last few are kept. */
  onLog?: (line: string) => void;
}

export interface SimulatorProgram {
  /** Named in errors: "the payment gateway simulator". */
  name: string;
  /** Its folder in src, holding its main module. */
  folder: string;
  /** Its variables' prefix: "GATEWAY" for GATEWAY_DATABASE_URL, GATEWAY_HOST and GATEWAY_PORT. */
  prefix: string;
  /** The setting that moves it, named when its port is taken. */
  portSetting: string;
}

/**
 * A simulator (src/<folder>/main) in a process of its own, given only its own variables:
 * every one of them, so the parent's environment cannot change its behaviour by accident.
 */
export function startSimulatorProcess(program: SimulatorProgram, options: SimulatorProcessOptions, faults: Record<string, string>): Promise<ServiceProcess> {
  const host = options.host ?? '127.0.0.1';
  return startServiceProcess({
    name: program.name,
    directory: path.join(__dirname, '..', program.folder),
    portSetting: program.portSetting,
    host,
    port: options.port,
    env: {
      [`${program.prefix}_DATABASE_URL`]: options.databaseUrl,
      [`${program.prefix}_HOST`]: host,
      [`${program.prefix}_PORT`]: String(options.port),
      ...faults,
      LOG_LEVEL: options.logLevel ?? 'info',
    },
    onLog: options.onLog,
  });
}
