import type { Knex } from 'knex';
import { isUniqueViolation } from '../knex';

export type Role = 'customer' | 'admin';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
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
}

const toUser = (row: UserRow): UserWithPasswordHash => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  createdAt: row.created_at,
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
