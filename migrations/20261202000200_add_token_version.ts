import type { Knex } from 'knex';

/**
 * The version every access token of a user carries: bumping it (logout) revokes every
 * token issued before. Tokens issued before this column existed carry none and count
 * as version 0.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.integer('token_version').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('token_version');
  });
}
