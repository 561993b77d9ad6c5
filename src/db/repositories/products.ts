import type { Knex } from 'knex';
import type { StockCounts } from '../../domain/stock';

export interface NewOption {
  type: string;
  name: string;
  additionalPrice: number;
  stock: number;
}

export interface NewProduct {
  name: string;
  description: string | null;
  price: number;
  category: string;
  imageUrl: string | null;
  options: NewOption[];
}

export interface ProductOption extends StockCounts {
  id: string;
  type: string;
  name: string;
  additionalPrice: number;
}

export interface Product {
  id: string;
  name: string;
  description: string | null;
  price: number;
  category: string;
  imageUrl: string | null;
  createdAt: Date;
  options: ProductOption[];
}

export interface ProductSummary {
  id: string;
  name: string;
  price: number;
  imageUrl: string | null;
  available: number;
}

/** The units available now of product `p`, over all its options: a summary's stock. */
export const AVAILABLE_UNITS_SQL = '(select coalesce(sum(st.available), 0) from product_options o join stocks st on st.option_id = o.id where o.product_id = p.id)';

export interface ProductSummaryRow {
  id: string;
  name: string;
  price: number;
  image_url: string | null;
  available: string | number | null;
}

export const toProductSummary = (r: ProductSummaryRow): ProductSummary => ({
  id: r.id,
  name: r.name,
  price: r.price,
  imageUrl: r.image_url,
  available: Number(r.available ?? 0),
});

export type ProductSort = 'newest' | 'price_asc' | 'price_desc';

const orderings: Record<ProductSort, { column: string; order: 'asc' | 'desc' }[]> = {
  newest: [{ column: 'p.created_at', order: 'desc' }],
  price_asc: [{ column: 'p.price', order: 'asc' }],
  price_desc: [{ column: 'p.price', order: 'desc' }],
};

export function createProductRepository(db: Knex) {
  return {
    /** Product, options and their stock rows in one transaction: all or nothing. */
    async insert(product: NewProduct): Promise<Product> {
      const id = await db.transaction(async (trx) => {
        const [row] = await trx('products')
          .insert({
            name: product.name,
            description: product.description,
            price: product.price,
            category: product.category,
            image_url: product.imageUrl,
          })
          .returning('id');
        const options = await trx('product_options')
          .insert(
            product.options.map((o, position) => ({
              product_id: row.id,
              type: o.type,
              name: o.name,
              additional_price: o.additionalPrice,
              position,
            })),
          )
          .returning(['id', 'position']);
        await trx('stocks').insert(
          options.map((o: { id: string; position: number }) => ({
            option_id: o.id,
            total: product.options[o.position].stock,
            available: product.options[o.position].stock,
          })),
        );
        return row.id as string;
      });
      return (await this.findById(id))!;
    },

    async findById(id: string): Promise<Product | undefined> {
      const product = await db('products').where({ id }).first();
      if (!product) return undefined;
      const options = await db('product_options as o')
        .join('stocks as s', 's.option_id', 'o.id')
        .where('o.product_id', id)
        .orderBy('o.position')
        .select('o.id', 'o.type', 'o.name', 'o.additional_price', 's.total', 's.available', 's.reserved', 's.sold');
      return {
        id: product.id,
        name: product.name,
        description: product.description,
        price: product.price,
        category: product.category,
        imageUrl: product.image_url,
        createdAt: product.created_at,
        options: options.map((o) => ({
          id: o.id,
          type: o.type,
          name: o.name,
          additionalPrice: o.additional_price,
          total: o.total,
          available: o.available,
          reserved: o.reserved,
          sold: o.sold,
        })),
      };
    },

    /** One page of products with their total available stock across options. */
    async list(query: { page: number; limit: number; category?: string; sort: ProductSort }) {
      const filtered = db('products as p').modify((q) => {
        if (query.category) q.where('p.category', query.category);
      });
      const [{ count }] = await filtered.clone().count<{ count: string }[]>('* as count');
      const rows = await filtered
        .clone()
        .select('p.id', 'p.name', 'p.price', 'p.image_url', db.raw(`${AVAILABLE_UNITS_SQL} as available`))
        // The id breaks ties so pages never overlap or skip when sort keys are equal.
        .orderBy([...orderings[query.sort], { column: 'p.id', order: 'asc' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit);
      return {
        total: Number(count),
        items: rows.map(toProductSummary),
      };
    },
  };
}
