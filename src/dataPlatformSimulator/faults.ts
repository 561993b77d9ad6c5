import { z } from 'zod';
import { latencyBounds } from '../simulatorKit/settings';

/** What makes POST /v1/orders fail; queries and /healthz are never affected. */
export interface DataPlatformFaults {
  /** Every POST /v1/orders answers 503, as during an outage. */
  unavailable: boolean;
  /** Fraction of POST /v1/orders answered 503 before anything happens. */
  failureRate: number;
  /** Fraction of new orders recorded and committed, then left unanswered (the connection cut). */
  dropAfterRecordRate: number;
  /** Random latency added to each POST /v1/orders, in ms. */
  latencyMs: [number, number];
}

const fraction = z.number().min(0).max(1);

/** The body of PUT /admin/faults: the faults to change; the others stay as they are. */
export const faultsChange = z.strictObject({
  unavailable: z.boolean().optional(),
  failureRate: fraction.optional(),
  dropAfterRecordRate: fraction.optional(),
  latencyMs: latencyBounds.optional(),
});

/** The faults in force, changed at runtime through the admin endpoint. */
export function createFaultSwitch(initial: DataPlatformFaults) {
  let current = { ...initial };
  return {
    current: (): DataPlatformFaults => current,
    change(change: z.output<typeof faultsChange>): DataPlatformFaults {
      current = { ...current, ...change };
      return current;
    },
  };
}

export type FaultSwitch = ReturnType<typeof createFaultSwitch>;
