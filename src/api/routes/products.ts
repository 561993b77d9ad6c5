import { z } from 'zod';
import { createProductRepository } from '../../db/repositories/products';
import { createStockRepository } from '../../db/repositories/stocks';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { idParams, pageBody, uuid } from '../schemas';
import {
  createProductBody,
  listProductsQuery,
  optionStockSchema,
  presentProduct,
  presentSummary,
  productPageSchema,
  productSchema,
  restockBody,
} from './products.schemas';

// PostgreSQL's "numeric value out of range": a count would no longer fit its column.
const NUMERIC_OUT_OF_RANGE = '22003';

export const productRoutes = (deps: AppDeps) => {
  const products = createProductRepository(deps.db);
  const stocks = createStockRepository(deps.db);

  return [
    defineRoute({
      method: 'post',
      path: '/admin/products',
      operationId: 'createProduct',
      summary: 'Create a product with its options and their stock (one default option when none are given)',
      description:
        'Admin only. Creates a product with its options, their prices and their starting stock.',
      tag: 'admin',
      access: 'admin',
      body: createProductBody,
      success: { status: 201, description: 'The new product with option ids', schema: productSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'],
      handle: async ({ body }) => presentProduct(await products.insert(body)),
    }),
    defineRoute({
      method: 'get',
      path: '/products',
      operationId: 'listProducts',
      summary: 'Browse products, a page at a time',
      description:
        'The catalogue, a page at a time (page and limit), optionally one category, sorted newest first or by price; each product with its price and whether any of it is in stock.',
      tag: 'catalog',
      access: 'public',
      query: listProductsQuery,
      success: { status: 200, description: 'One page of products', schema: productPageSchema },
      errors: ['VALIDATION_FAILED'],
      async handle({ query }) {
        const { items, total } = await products.list(query);
        return pageBody(items.map(presentSummary), total, query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/products/:id',
      operationId: 'getProduct',
      summary: 'A product with its options and what is available of each',
      description:
        'One product with its options and how many units of each are available now.',
      tag: 'catalog',
      access: 'public',
      params: idParams,
      success: { status: 200, description: 'The product', schema: productSchema },
      errors: ['VALIDATION_FAILED', 'PRODUCT_NOT_FOUND'],
      async handle({ params }) {
        const product = await products.findById(params.id);
        if (!product) throw new ApiError('PRODUCT_NOT_FOUND', `product ${params.id} does not exist`, { productId: params.id });
        return presentProduct(product);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/product-options/:optionId/restock',
      operationId: 'restockOption',
      summary: 'Add units to an option: total and available grow together',
      description:
        "Admin only. Adds units to an option's stock: its total and available grow by the quantity.",
      tag: 'admin',
      access: 'admin',
      params: z.strictObject({ optionId: uuid }),
      body: restockBody,
      success: { status: 200, description: 'The option stock after the restock', schema: optionStockSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'OPTION_NOT_FOUND'],
      async handle({ params, body }) {
        let row;
        try {
          row = await stocks.restock(params.optionId, body.quantity);
        } catch (error) {
          if ((error as { code?: string }).code === NUMERIC_OUT_OF_RANGE) {
            throw new ApiError('VALIDATION_FAILED', 'the stock would exceed the largest count an option can hold', {
              issues: [{ in: 'body', path: 'quantity', message: 'too large for this option' }],
            });
          }
          throw error;
        }
        if (!row) throw new ApiError('OPTION_NOT_FOUND', `option ${params.optionId} does not exist`, { optionId: params.optionId });
        return { optionId: row.optionId, total: row.total, available: row.available, reserved: row.reserved, sold: row.sold };
      },
    }),
  ];
};
