import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('coupons', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable();
    t.text('discount_type').notNullable();
    t.integer('discount_value').notNullable();
    t.integer('min_order_amount').notNullable().defaultTo(0);
    t.integer('total_quantity').notNullable();
    t.integer('issued_quantity').notNullable().defaultTo(0);
    t.timestamp('valid_from', { useTz: true }).notNullable();
    t.timestamp('valid_until', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check("discount_type in ('FIXED', 'PERCENTAGE')", [], 'coupons_discount_type_known');
    t.check(
      "discount_value >= 1 and (discount_type <> 'PERCENTAGE' or discount_value <= 100)",
      [],
      'coupons_discount_value_range',
    );
    t.check('min_order_amount >= 0', [], 'coupons_min_order_amount_non_negative');
    t.check('total_quantity >= 0', [], 'coupons_total_quantity_non_negative');
    // The last line of defence against over-issuing, whatever the code does.
    t.check('issued_quantity >= 0 and issued_quantity <= total_quantity', [], 'coupons_issued_within_total');
    t.check('valid_until > valid_from', [], 'coupons_valid_period');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('coupons');
}
