import { runSimulatorProcess } from '../simulatorKit/processMain';
import { loadDataPlatformConfig } from './config';
import { startDataPlatformSimulator } from './server';

/** The simulator as its own process (see docs/data-platform.md). */
void runSimulatorProcess({
  loggerName: 'data-platform',
  title: 'data platform simulator',
  loadConfig: () => loadDataPlatformConfig(),
  start: (config, logger) => startDataPlatformSimulator({ ...config, logger }),
  readyFields: (config) => ({ faults: config.faults }),
  failureHint: 'check DATA_PLATFORM_DATABASE_URL',
});
