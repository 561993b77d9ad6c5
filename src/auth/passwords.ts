import argon2 from 'argon2';
import { Sema } from 'async-sema';

/**
 * argon2id with OWASP's first recommended parameter set (Password Storage Cheat Sheet):
 * 19 MiB of memory, 2 passes, 1 lane: a quarter of the library defaults' time (64 MiB,
 * 3 passes, 4 lanes; 48 against 192 ms a hash on the 2-core machine), memory-hard enough
 * that a stolen hash is costly to attack, cheap enough that sign-ins are not the API's
 * bottleneck. Hashes made with other parameters (the library's defaults before) carry
 * theirs and still verify.
 */
export const ARGON2_PARAMETERS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (plain: string): Promise<string> => argon2.hash(plain, ARGON2_PARAMETERS);

export const verifyPassword = async (hash: string, plain: string): Promise<boolean> => {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
};

/** Who computes the hashes: this process, or a low-priority one of its own (src/auth/hashingProcess.ts). */
export interface Hasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
}

export const inProcessHasher: Hasher = { hash: hashPassword, verify: verifyPassword };

let decoyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real check when the email is unknown, so login response
 * times do not reveal which addresses are registered.
 */
export const verifyAgainstDecoy = async (hasher: Hasher, plain: string): Promise<false> => {
  decoyHash ??= hashPassword('decoy-password-that-never-matches');
  await hasher.verify(await decoyHash, plain);
  return false;
};

/** No room left to wait for a password hash: the caller answers 429. */
export class HashingBusyError extends Error {}

/**
 * At most `concurrency` password hashes at once for this process, and at most `queue`
 * waiting for one, computed by `hasher`. Unbounded, a flood of logins would take every
 * core (and, in-process, libuv's thread pool, which file and DNS work share). A waiter
 * whose client has gone is dropped before its hash starts.
 */
export function createHashingGate(options: { concurrency: number; queue: number; hasher?: Hasher }) {
  const hasher = options.hasher ?? inProcessHasher;
  const slots = new Sema(options.concurrency);
  const saturated = () => slots.nrWaiting() >= options.queue;
  return {
    /** No room to wait: checked before a request spends any other work (rate-limit and account reads) on a hash it could not get. */
    saturated,
    async run<T>(clientGone: AbortSignal, hash: (hasher: Hasher) => Promise<T>): Promise<T> {
      if (saturated()) throw new HashingBusyError('too many password checks waiting');
      await slots.acquire();
      try {
        // Its reason says why (src/api/clientGone.ts: the client left).
        if (clientGone.aborted) throw clientGone.reason;
        return await hash(hasher);
      } finally {
        slots.release();
      }
    },
  };
}

export type HashingGate = ReturnType<typeof createHashingGate>;
