import { z } from 'zod';
import type { NewProduct, Product, ProductSummary } from '../../db/repositories/products';
import { stockStatus } from '../../domain/stock';
import { amount, MAX_INT, pageOf, pageQuery, text } from '../schemas';

const count = z.number().int().min(0).max(MAX_INT);

/** The option a product without real options gets, so every stock row belongs to an option. */
export const DEFAULT_OPTION = { type: 'DEFAULT', name: 'Default' } as const;

const optionInput = z.strictObject({
  type: text(50).meta({ example: 'SIZE' }),
  name: text(100).meta({ example: 'M' }),
  additionalPrice: amount.default(0),
  stock: count,
});

export const createProductBody = z
  .strictObject({
    name: text(200),
    description: text(5000, 0).nullish(),
    price: amount,
    category: text(100),
    // An empty string is how many forms say "no image".
    imageUrl: z.literal('').or(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000)).nullish(),
    options: z.array(optionInput).max(100).default([]),
    stock: count.optional().meta({ description: 'Stock of the default option, for a product without options' }),
  })
  .superRefine((body, ctx) => {
    if (ctx.issues.length > 0) return;
    if (body.options.length > 0 && body.stock !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['stock'], message: 'give stock per option when options are listed' });
    }
    const seen = new Set<string>();
    body.options.forEach((option, index) => {
      const key = `${option.type}\u0000${option.name}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['options', index, 'name'], message: 'duplicate option' });
      seen.add(key);
    });
  })
  .transform(
    (body): NewProduct => ({
      name: body.name,
      description: body.description ?? null,
      price: body.price,
      category: body.category,
      imageUrl: body.imageUrl || null,
      options:
        body.options.length > 0 ? body.options : [{ ...DEFAULT_OPTION, additionalPrice: 0, stock: body.stock ?? 0 }],
    }),
  );

export const listProductsQuery = z.strictObject({
  ...pageQuery,
  category: text(100).optional(),
  sort: z.enum(['newest', 'price_asc', 'price_desc']).default('newest'),
});

export const restockBody = z.strictObject({ quantity: z.number().int().min(1).max(MAX_INT) });

const stockStatusSchema = z.enum(['IN_STOCK', 'SOLD_OUT']);

export const productSummarySchema = z
  .object({ id: z.uuid(), name: z.string(), price: z.number().int(), imageUrl: z.string().nullable(), stockStatus: stockStatusSchema })
  .meta({ id: 'ProductSummary' });

export const productPageSchema = pageOf(productSummarySchema);

export const productSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    price: z.number().int(),
    category: z.string(),
    imageUrl: z.string().nullable(),
    stockStatus: stockStatusSchema,
    createdAt: z.iso.datetime(),
    options: z.array(
      z.object({
        id: z.uuid(),
        type: z.string(),
        name: z.string(),
        additionalPrice: z.number().int(),
        availableQuantity: z.number().int(),
        stockStatus: stockStatusSchema,
        selectable: z.boolean(),
      }),
    ),
  })
  .meta({ id: 'Product' });

export const optionStockSchema = z
  .object({
    optionId: z.uuid(),
    total: z.number().int(),
    available: z.number().int(),
    reserved: z.number().int(),
    sold: z.number().int(),
  })
  .meta({ id: 'OptionStock' });

export const presentSummary = (p: ProductSummary): z.input<typeof productSummarySchema> => ({
  id: p.id,
  name: p.name,
  price: p.price,
  imageUrl: p.imageUrl,
  stockStatus: stockStatus(p.available),
});

export const presentProduct = (p: Product): z.input<typeof productSchema> => ({
  id: p.id,
  name: p.name,
  description: p.description,
  price: p.price,
  category: p.category,
  imageUrl: p.imageUrl,
  stockStatus: stockStatus(p.options.reduce((sum, o) => sum + o.available, 0)),
  createdAt: p.createdAt.toISOString(),
  options: p.options.map((o) => ({
    id: o.id,
    type: o.type,
    name: o.name,
    additionalPrice: o.additionalPrice,
    availableQuantity: o.available,
    stockStatus: stockStatus(o.available),
    // A sold-out option stays listed (shoppers see it exists) but cannot be chosen.
    selectable: o.available > 0,
  })),
});
