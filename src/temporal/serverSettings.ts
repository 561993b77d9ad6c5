/**
 * Dynamic-config values the platform runs its Temporal server with, wherever that server
 * comes from: the dev server's `--dynamic-config-value` flags (src/temporal/devServer.ts),
 * the benchmark's server on PostgreSQL, and docker/temporal-dynamicconfig.yaml (a unit
 * test keeps that file equal to this list). Measurements behind each: docs/benchmarks.md.
 */
export interface ServerSetting {
  key: string;
  value: number;
}

export const temporalServerSettings: ServerSetting[] = [
  // One task-queue partition: with a handful of workers, extra partitions only add
  // polling and forwarding between partitions (docs/benchmarks.md).
  { key: 'matching.numTaskqueueReadPartitions', value: 1 },
  { key: 'matching.numTaskqueueWritePartitions', value: 1 },
  // Each history shard reads its transfer queue (the tasks that hand workflow and
  // activity tasks to matching) at most 20 times a second by default, so every hop of a
  // workflow waited up to 50 ms: 350 ms for three activities at no load. 100 reads a
  // second brings that to about 50 ms without changing throughput under a rush.
  { key: 'history.transferProcessorMaxPollRPS', value: 100 },
  // A coupon's issuer takes every claim of a rush as an Update (src/workflows/couponIssuer.ts);
  // the default of 10 in flight per workflow would turn the 11th concurrent customer away.
  // Each waiting Update costs the server a few hundred bytes of memory.
  { key: 'history.maxInFlightUpdates', value: 2000 },
];

/** The same settings as a dynamic-config YAML file (the server's file format). */
export function dynamicConfigYaml(settings: ServerSetting[] = temporalServerSettings): string {
  return settings.map((s) => `${s.key}:\n  - value: ${s.value}\n`).join('');
}
