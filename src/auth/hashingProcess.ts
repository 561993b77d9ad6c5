import { fork, type ChildProcess } from 'node:child_process';
import { nodeModuleCommand } from '../platform/nodeModuleCommand';
import type { Hasher } from './passwords';

type HashingWork = { op: 'hash'; plain: string } | { op: 'verify'; hash: string; plain: string };
export type HashingRequest = HashingWork & { id: number };
export type HashingReply = { id: number; value: string | boolean } | { id: number; error: string };

export interface HashingProcess extends Hasher {
  /** The child's pid, once one runs. */
  pid(): number | undefined;
  close(): Promise<void>;
}

/**
 * Password hashing in a child process of its own at a lower CPU priority (`niceness`,
 * 0..19): a flood of sign-ins can keep its core busy, but whenever checkout's processes
 * (API, worker, PostgreSQL, Temporal) want a core, the kernel gives it to them first.
 * In-process, the same hashes would compete with them as equals and double checkout's
 * latency under a flood (docs/benchmarks.md, "Login flood"). A child that dies fails the
 * hashes it had in hand; the next one starts a new child.
 */
export function startHashingProcess(options: { niceness: number }): HashingProcess {
  let child: ChildProcess | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: string | boolean) => void; reject: (error: Error) => void }>();
  let closing = false;

  function running(): ChildProcess {
    if (child) return child;
    const { modulePath, execArgv, cwd } = nodeModuleCommand(__filename, __dirname, 'hashingChild');
    const started = fork(modulePath, [], {
      cwd,
      execArgv,
      env: { ...process.env, HASHING_NICENESS: String(options.niceness) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    started.on('message', (reply: HashingReply) => {
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if ('error' in reply) waiter.reject(new Error(`password hashing failed: ${reply.error}`));
      else waiter.resolve(reply.value);
    });
    const lost = (why: string) => {
      if (child !== started) return;
      child = undefined;
      for (const [id, waiter] of pending) {
        pending.delete(id);
        waiter.reject(new Error(`the password-hashing process ${why}`));
      }
    };
    started.once('exit', (code, signal) => lost(`exited (${signal ?? code})`));
    started.once('error', (error) => lost(`failed: ${error.message}`));
    // Hashing is its only job: it never keeps the API process alive by itself.
    started.unref();
    started.channel?.unref();
    child = started;
    return started;
  }

  function ask(request: HashingWork): Promise<string | boolean> {
    if (closing) return Promise.reject(new Error('the password-hashing process is closed'));
    const id = nextId++;
    return new Promise<string | boolean>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const target = running();
      target.channel?.ref();
      target.send({ ...request, id } satisfies HashingRequest, (error) => {
        if (error && pending.delete(id)) reject(error);
      });
    }).finally(() => {
      if (pending.size === 0) child?.channel?.unref();
    });
  }

  return {
    hash: async (plain) => String(await ask({ op: 'hash', plain })),
    verify: async (hash, plain) => (await ask({ op: 'verify', hash, plain })) === true,
    pid: () => child?.pid,
    async close() {
      closing = true;
      const current = child;
      if (!current || current.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
      current.disconnect();
      await exited;
    },
  };
}
