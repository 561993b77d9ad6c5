import argon2 from 'argon2';

/** argon2id with the library's defaults (OWASP-recommended memory-hard parameters). */
export const hashPassword = (plain: string): Promise<string> => argon2.hash(plain, { type: argon2.argon2id });

export const verifyPassword = async (hash: string, plain: string): Promise<boolean> => {
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
};

let decoyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real check when the email is unknown, so login response
 * times do not reveal which addresses are registered.
 */
export const verifyAgainstDecoy = async (plain: string): Promise<false> => {
  decoyHash ??= hashPassword('decoy-password-that-never-matches');
  await verifyPassword(await decoyHash, plain);
  return false;
};
