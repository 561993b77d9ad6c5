import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Where and on what a result was measured: ratios within one run are what we compare. */
export function machine() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, commit };
}

/** Writes bench/results/<scenario>-<time>.json and returns its path. */
export async function saveResult(scenario: string, result: Record<string, unknown>): Promise<string> {
  const dir = path.join(__dirname, '..', 'results');
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await fs.writeFile(file, JSON.stringify({ scenario, measuredAt: new Date().toISOString(), machine: machine(), ...result }, null, 2) + '\n');
  return file;
}
