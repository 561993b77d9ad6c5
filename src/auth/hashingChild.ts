import os from 'node:os';
import { hashPassword, verifyPassword } from './passwords';
import type { HashingReply, HashingRequest } from './hashingProcess';

/**
 * The low-priority process that does an API process's password hashing
 * (src/auth/hashingProcess.ts). It lowers its own CPU priority first, so the kernel gives
 * checkout's processes the cores whenever both want them, and exits with its parent.
 */
os.setPriority(Number(process.env.HASHING_NICENESS ?? 10));
process.on('disconnect', () => process.exit(0));
process.on('message', (request: HashingRequest) => {
  const work = request.op === 'hash' ? hashPassword(request.plain) : verifyPassword(request.hash, request.plain);
  work.then(
    (value) => process.send?.({ id: request.id, value } satisfies HashingReply),
    (error: unknown) => process.send?.({ id: request.id, error: String(error) } satisfies HashingReply),
  );
});
