import { latencySetting } from '../simulatorKit/settings';
import type { ServiceProcess } from './serviceProcess';
import { startSimulatorProcess, type SimulatorProcessOptions } from './simulatorProcess';

export interface DataPlatformProcessOptions extends SimulatorProcessOptions {
  failureRate?: number;
  dropAfterRecordRate?: number;
  latencyMs?: [number, number];
}

export type DataPlatformProcess = ServiceProcess;

const dataPlatformSimulator = {
  name: 'the data platform simulator',
  folder: 'dataPlatformSimulator',
  prefix: 'DATA_PLATFORM',
  portSetting: 'the data platform port (DATA_PLATFORM_PORT)',
};

/** The data platform simulator in a process of its own (src/dataPlatformSimulator), from its DATA_PLATFORM_* settings. */
export function startDataPlatformProcess(options: DataPlatformProcessOptions): Promise<DataPlatformProcess> {
  return startSimulatorProcess(dataPlatformSimulator, options, {
    DATA_PLATFORM_FAILURE_RATE: String(options.failureRate ?? 0),
    DATA_PLATFORM_DROP_AFTER_RECORD_RATE: String(options.dropAfterRecordRate ?? 0),
    DATA_PLATFORM_LATENCY_MS: latencySetting(options.latencyMs ?? [0, 0]),
  });
}
