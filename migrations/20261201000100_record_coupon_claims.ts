import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_coupons', (t) => {
    // The claim (one customer request, src/workflows/couponIssuer.ts) that got this row:
    // a batch settled again after a crash or a retry answers that claim with its own row,
    // and any other claim of the same user with ALREADY_ISSUED. Null on rows issued by
    // the per-claim workflow, which used issued_by_run_id for the same purpose.
    t.uuid('claim_id');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('user_coupons', (t) => {
    t.dropColumn('claim_id');
  });
}
