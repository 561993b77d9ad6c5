import { spawn, type SpawnOptions } from 'node:child_process';

/**
 * Runs a command to its end and returns its exit code with stdout and stderr interleaved.
 * `options` are spawn's own (env, cwd, uid and gid to run it as another account).
 */
export function runCommand(
  command: string,
  args: string[],
  options: Pick<SpawnOptions, 'env' | 'cwd' | 'uid' | 'gid'> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}
