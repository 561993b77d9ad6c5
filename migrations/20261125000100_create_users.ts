import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    // Stored lower-cased by the repository; the unique index is what makes a
    // concurrent double sign-up end in exactly one row.
    t.text('email').notNullable().unique();
    t.text('password_hash').notNullable();
    t.text('name').notNullable();
    t.text('role').notNullable().defaultTo('customer');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("role in ('customer', 'admin')", [], 'users_role_known');
    t.check('email = lower(email)', [], 'users_email_lower_case');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
