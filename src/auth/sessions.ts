import { LRUCache } from 'lru-cache';
import type { Knex } from 'knex';
import { createUserRepository, type Role } from '../db/repositories/users';

/** An account as its access tokens are checked against it: its role now, and the token version it accepts. */
export interface AccountStanding {
  role: Role;
  tokenVersion: number;
}

/**
 * Whether the account behind an access token still stands, read from PostgreSQL at most
 * once per `cacheTtlMs` per user and API process. That is the revocation window: a
 * deleted account, a changed role or a logout takes effect on every API process within
 * it (at once on the process that handled the logout). A missing account is not
 * remembered, so an account created a moment later is found.
 */
export function createSessionCheck(db: Knex, options: { cacheTtlMs: number }) {
  const users = createUserRepository(db);
  const cache = new LRUCache<string, AccountStanding>({ max: 100_000, ttl: options.cacheTtlMs, fetchMethod: (userId) => users.standing(userId) });
  return {
    standing: (userId: string): Promise<AccountStanding | undefined> => cache.fetch(userId),
    /** Revokes every token of the user issued so far (logout, everywhere). */
    async revoke(userId: string): Promise<void> {
      await users.revokeTokens(userId);
      cache.delete(userId);
    },
  };
}

export type SessionCheck = ReturnType<typeof createSessionCheck>;
