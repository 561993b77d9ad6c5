import type { Knex } from 'knex';

/**
 * Sign-in and sign-up attempts counted per client address and per account, shared by
 * every API process (rate-limiter-flexible's PostgreSQL store; its table layout). Keys
 * are hashed: no address or email is stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create table auth_rate_limits (key varchar(255) primary key, points integer not null default 0, expire bigint)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_rate_limits');
}
