import { createLogger } from '../../src/logging/logger';
import { installTemporalRuntime } from '../../src/temporal/worker';

// Every test file's Temporal SDK logs through our logger at TEST_LOG_LEVEL (default
// error), so expected refusals (SOLD_OUT, OUT_OF_STOCK) do not flood the output.
void installTemporalRuntime(createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error', pretty: false }));
