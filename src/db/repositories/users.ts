import type { Knex } from 'knex';
import { isUniqueViolation } from '../knex';

export type Role = 'customer' | 'admin';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
  /** The version its access tokens must carry; bumped to revoke them all. */
  tokenVersion: number;
}

export interface UserWithPasswordHash extends User {
  passwordHash: string;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  created_at: Date;
  token_version: number;
}

const toUser = (row: UserRow): UserWithPasswordHash => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  createdAt: row.created_at,
  tokenVersion: row.token_version,
  passwordHash: row.password_hash,
});

const withoutHash = ({ passwordHash: _ignored, ...user }: UserWithPasswordHash): User => user;

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

export class EmailTakenError extends Error {
  constructor() {
    super('email already registered');
  }
}

export function createUserRepository(db: Knex) {
  return {
    /** Throws EmailTakenError when the address is registered, including by a concurrent request. */
    async insert(user: { email: string; name: string; passwordHash: string; role: Role }): Promise<User> {
      try {
        const [row] = await db<UserRow>('users')
          .insert({
            email: normaliseEmail(user.email),
            name: user.name,
            password_hash: user.passwordHash,
            role: user.role,
          })
          .returning('*');
        return withoutHash(toUser(row));
      } catch (error) {
        if (isUniqueViolation(error)) throw new EmailTakenError();
        throw error;
      }
    },

    async findByEmail(email: string): Promise<UserWithPasswordHash | undefined> {
      const row = await db<UserRow>('users').where({ email: normaliseEmail(email) }).first();
      return row ? toUser(row) : undefined;
    },

    async findById(id: string): Promise<User | undefined> {
      const row = await db<UserRow>('users').where({ id }).first();
      return row ? withoutHash(toUser(row)) : undefined;
    },

    /** What an access token of the user is checked against: the role it has now and the token version. */
    async standing(id: string): Promise<{ role: Role; tokenVersion: number } | undefined> {
      const row = await db<UserRow>('users').where({ id }).first('role', 'token_version');
      return row ? { role: row.role, tokenVersion: row.token_version } : undefined;
    },

    /** Revokes every access token issued to the user so far. */
    async revokeTokens(id: string): Promise<void> {
      await db<UserRow>('users').where({ id }).increment('token_version', 1);
    },

    /**
     * Makes the configured admin exist with the configured password. Runs at every
     * start-up, so changing ADMIN_PASSWORD and restarting rotates it.
     */
    async upsertAdmin(admin: { email: string; passwordHash: string }): Promise<void> {
      await db<UserRow>('users')
        .insert({ email: normaliseEmail(admin.email), name: 'Administrator', password_hash: admin.passwordHash, role: 'admin' })
        .onConflict('email')
        .merge({ password_hash: admin.passwordHash, role: 'admin' });
    },
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
