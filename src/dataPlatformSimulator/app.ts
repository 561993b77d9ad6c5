import type express from 'express';
import type { Logger } from '../logging/logger';
import { createSimulatorApp } from '../simulatorKit/app';
import { injectFaults } from '../simulatorKit/faults';
import { faultRoutes } from './faultRoutes';
import type { FaultSwitch } from './faults';
import { createOrderIntake } from './intake';
import { orderRoutes } from './orderRoutes';
import type { OrderRecords } from './records';
import { dataPlatformErrors, DataPlatformHttpError } from './responses';

export interface DataPlatformAppDeps {
  logger: Logger;
  records: OrderRecords;
  faults: FaultSwitch;
}

export function createDataPlatformApp(deps: DataPlatformAppDeps): express.Express {
  const { records, faults } = deps;
  // Only deliveries are slow or refused: a platform reading what it delivered still can.
  const deliveryFaults = injectFaults(
    () => {
      const current = faults.current();
      return { latencyMs: current.latencyMs, failureRate: current.unavailable ? 1 : current.failureRate };
    },
    () => new DataPlatformHttpError('DATA_PLATFORM_UNAVAILABLE', 'the data platform is temporarily unavailable (simulated); retry later'),
  );
  return createSimulatorApp({ logger: deps.logger, errors: dataPlatformErrors, jsonLimit: '64kb' }, (app) => {
    app.use('/admin', faultRoutes(faults));
    app.use('/v1', orderRoutes({ intake: createOrderIntake({ records, faults }), records, faults: deliveryFaults }));
  });
}
