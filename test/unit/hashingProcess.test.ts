import os from 'node:os';
import { startHashingProcess } from '../../src/auth/hashingProcess';
import { hashPassword, verifyPassword } from '../../src/auth/passwords';

describe('the password-hashing process', () => {
  const hashing = startHashingProcess({ niceness: 7 });
  afterAll(() => hashing.close());

  it('hashes and verifies as this process would, at the CPU priority it was given', async () => {
    const hash = await hashing.hash('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    const local = await hashPassword('made here');
    expect(await hashing.verify(local, 'made here')).toBe(true);
    expect(await hashing.verify(local, 'not it')).toBe(false);
    expect(await hashing.verify('not a hash at all', 'made here')).toBe(false);
    expect(os.getPriority(hashing.pid()!)).toBe(7);
  });

  it('fails the hashes a dead child had in hand, and the next hash starts a new child', async () => {
    await hashing.hash('warm up');
    const first = hashing.pid()!;
    const inHand = Promise.all(Array.from({ length: 4 }, (_, i) => hashing.hash(`in hand ${i}`)));
    process.kill(first, 'SIGKILL');
    await expect(inHand).rejects.toThrow(/password-hashing process exited/);
    const hash = await hashing.hash('after the crash');
    expect(await verifyPassword(hash, 'after the crash')).toBe(true);
    expect(hashing.pid()).not.toBe(first);
  });

  it('exits when closed, and refuses hashes afterwards', async () => {
    const own = startHashingProcess({ niceness: 0 });
    await own.hash('start it');
    const pid = own.pid()!;
    await own.close();
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(own.hash('too late')).rejects.toThrow(/closed/);
  });
});
