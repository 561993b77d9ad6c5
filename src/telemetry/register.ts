import { startTracing, tracingWanted } from './tracing';

// Imported first by src/cli/start.ts: the instrumentations patch http, pg and fetch as
// they load, so they must be in place before anything else is.
if (tracingWanted()) startTracing(`order-platform-${process.argv[2] ?? 'all'}`);
