import type { Logger } from '../logging/logger';
import { startSimulatorService, type RunningSimulator } from '../simulatorKit/service';
import { createDataPlatformApp } from './app';
import type { DataPlatformConfig } from './config';
import { createFaultSwitch } from './faults';
import { DATA_PLATFORM_SCHEMA } from './migrations';
import { createOrderRecords } from './records';

/** The simulator's settings (port 0 lets the OS pick), with the logger to use. */
export type DataPlatformSimulatorOptions = Omit<DataPlatformConfig, 'logLevel' | 'logFormat'> & { logger: Logger };

/** Migrates the data platform's schema and serves its HTTP API. */
export function startDataPlatformSimulator(options: DataPlatformSimulatorOptions): Promise<RunningSimulator> {
  return startSimulatorService({
    ...options,
    label: 'data platform',
    schema: DATA_PLATFORM_SCHEMA,
    // GET /v1/orders?orderIds= takes 500 ids in its URL: 500 UUIDs alone pass Node's 16 KiB.
    http: { maxHeaderSize: 128 * 1024 },
    createApp: (db) => createDataPlatformApp({ logger: options.logger, records: createOrderRecords(db), faults: createFaultSwitch(options.faults) }),
  });
}
