import fs from 'node:fs';

/**
 * Where a phase's CPU time went, by part of the stack: every process on the machine is
 * read from /proc (user + system time), named by its command line, and a phase's share
 * is the difference between two snapshots. On two cores every part competes with every
 * other, so this says which part a faster phase would have to cost less. Linux only;
 * elsewhere the snapshots are empty.
 */
export type CpuSnapshot = Map<number, { part: string; seconds: number }>;

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Which part of the stack a process is, from its command line. */
export function partOf(commandLine: string, harnessPid: number, pid: number): string {
  if (pid === harnessPid) return 'harness (load generator; API and worker unless apart)';
  if (/hashingChild\.[jt]s\b/.test(commandLine)) return 'password hashing (a child of the API)';
  if (/loginFloodChild\.ts\b/.test(commandLine)) return 'login flood generator';
  if (/src\/cli\/start\.ts api\b/.test(commandLine)) return 'API';
  if (/src\/cli\/start\.ts worker\b/.test(commandLine)) return 'worker';
  if (/paymentGatewaySimulator/.test(commandLine)) return 'payment gateway simulator';
  if (/dataPlatformSimulator/.test(commandLine)) return 'data platform simulator';
  if (/(^|\/)temporal(-server)?\s/.test(commandLine) || /\bserver start(-dev)?\b/.test(commandLine)) return 'Temporal server';
  if (/^postgres\b|\/postgres\b|^postgres:/.test(commandLine)) return 'PostgreSQL';
  return 'other';
}

export function cpuSnapshot(harnessPid = process.pid): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return snapshot;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces) start after its ")".
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      snapshot.set(pid, { part: partOf(commandLine, harnessPid, pid), seconds: ticks / TICKS_PER_SECOND });
    } catch {
      // the process ended between the listing and the read
    }
  }
  return snapshot;
}

/** CPU seconds per part between two snapshots (processes born in between count from zero). */
export function cpuSecondsByPart(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const byPart: Record<string, number> = {};
  for (const [pid, now] of after) {
    const spent = now.seconds - (before.get(pid)?.seconds ?? 0);
    if (spent > 0) byPart[now.part] = Math.round(((byPart[now.part] ?? 0) + spent) * 100) / 100;
  }
  return Object.fromEntries(Object.entries(byPart).sort(([, a], [, b]) => b - a));
}
