import type { Knex } from 'knex';

/** A product option as an order or a cart line snapshots it. */
export interface OptionSnapshot {
  optionId: string;
  productId: string;
  productName: string;
  optionName: string;
  productPrice: number;
  additionalPrice: number;
  available: number;
}

export async function findOptionSnapshots(db: Knex, optionIds: string[]): Promise<Map<string, OptionSnapshot>> {
  if (optionIds.length === 0) return new Map();
  const rows = await db('product_options as o')
    .join('products as p', 'p.id', 'o.product_id')
    .join('stocks as s', 's.option_id', 'o.id')
    .whereIn('o.id', optionIds)
    .select(
      'o.id as option_id',
      'p.id as product_id',
      'p.name as product_name',
      'o.name as option_name',
      'p.price as product_price',
      'o.additional_price',
      's.available',
    );
  return new Map(
    rows.map((r) => [
      r.option_id as string,
      {
        optionId: r.option_id,
        productId: r.product_id,
        productName: r.product_name,
        optionName: r.option_name,
        productPrice: r.product_price,
        additionalPrice: r.additional_price,
        available: r.available,
      },
    ]),
  );
}
