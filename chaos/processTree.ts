import fs from 'node:fs';

/** Every process below `root`, with its command line (read from /proc; Linux). */
export function descendants(root: number): { pid: number; commandLine: string }[] {
  const parents = new Map<number, number>();
  const commandLines = new Map<number, string>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      commandLines.set(Number(entry), fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // gone meanwhile
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === root) return true;
    return false;
  };
  return [...commandLines.entries()].filter(([pid]) => below(pid)).map(([pid, commandLine]) => ({ pid, commandLine }));
}

/** How the local services' processes are told apart in a process tree. */
export const SERVICE_PROCESSES = {
  gateway: /paymentGatewaySimulator/,
  dataPlatform: /dataPlatformSimulator/,
  temporal: /\bserver start-dev\b/,
  postgres: /\/postgres -D /,
} as const;

/** The pid of the service's process below `root`, if it runs. */
export const serviceProcess = (root: number, service: keyof typeof SERVICE_PROCESSES): number | undefined =>
  descendants(root).find((p) => SERVICE_PROCESSES[service].test(p.commandLine))?.pid;
