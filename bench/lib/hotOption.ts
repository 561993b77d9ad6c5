import type { Knex } from 'knex';
import { createProductRepository } from '../../src/db/repositories/products';

/** A product with a single option holding `units`: the one row every request of a rush fights over. Returns the option id. */
export async function createHotOption(db: Knex, units: number): Promise<string> {
  const product = await createProductRepository(db).insert({
    name: 'bench',
    description: null,
    price: 1,
    category: 'bench',
    imageUrl: null,
    options: [{ type: 'DEFAULT', name: 'Default', additionalPrice: 0, stock: units }],
  });
  return product.options[0].id;
}
