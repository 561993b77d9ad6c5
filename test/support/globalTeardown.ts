import fs from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  const stops = (g.__orderPlatformTestStops as (() => Promise<void>)[] | undefined) ?? [];
  for (const stop of stops.reverse()) await stop().catch((error) => console.warn('teardown step failed', error));
  const workDir = g.__orderPlatformTestWorkDir as string | undefined;
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
}
