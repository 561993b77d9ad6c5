import { createCartRepository } from '../../db/repositories/carts';
import { findOptionSnapshots } from '../../db/repositories/optionPrices';
import { unitPrice } from '../../domain/order';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { idParams } from '../schemas';
import { addCartItemBody, cartItemSchema, cartSchema, presentCart, presentCartItem, updateCartItemBody } from './cart.schemas';

export const cartRoutes = (deps: AppDeps) => {
  const carts = createCartRepository(deps.db);
  const notFound = (id: string) => new ApiError('CART_ITEM_NOT_FOUND', `your cart has no line ${id}`, { cartItemId: id });
  const outOfStock = (optionId: string, requested: number, available: number) =>
    new ApiError('OUT_OF_STOCK', `option ${optionId} has ${available} available, ${requested} requested`, { optionId, requested, available });

  return [
    defineRoute({
      method: 'get',
      path: '/cart',
      operationId: 'getCart',
      summary: "The signed-in customer's cart",
      description:
        "The signed-in customer's cart with each line's current price and the total.",
      tag: 'cart',
      access: 'customer',
      success: { status: 200, description: 'The cart', schema: cartSchema },
      errors: ['UNAUTHORIZED', 'FORBIDDEN'],
      handle: async ({ principal }) => presentCart(await carts.list(principal.userId)),
    }),
    defineRoute({
      method: 'post',
      path: '/cart/items',
      operationId: 'addCartItem',
      summary: 'Add an option to the cart (the same option again adds to its line)',
      description:
        "Adds a quantity of a product option to the cart; adding an option already in it raises that line's quantity. Nothing is reserved until an order is placed.",
      tag: 'cart',
      access: 'customer',
      body: addCartItemBody,
      success: { status: 201, description: 'The cart line after the addition', schema: cartItemSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'OPTION_NOT_FOUND', 'OUT_OF_STOCK'],
      async handle({ body, principal }) {
        const option = (await findOptionSnapshots(deps.db, [body.productOptionId])).get(body.productOptionId);
        if (!option) throw new ApiError('OPTION_NOT_FOUND', `option ${body.productOptionId} does not exist`, { optionId: body.productOptionId });
        // Availability is checked, not held: the stock is reserved only when the order is placed.
        if (body.quantity > option.available) throw outOfStock(option.optionId, body.quantity, option.available);
        const line = await carts.add(
          principal.userId,
          {
            optionId: option.optionId,
            quantity: body.quantity,
            productName: option.productName,
            optionName: option.optionName,
            unitPrice: unitPrice(option.productPrice, option.additionalPrice),
          },
          option.available,
        );
        if (!line) {
          const current = (await carts.list(principal.userId)).find((i) => i.optionId === option.optionId)?.quantity ?? 0;
          throw outOfStock(option.optionId, current + body.quantity, option.available);
        }
        return presentCartItem(line);
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/cart/items/:id',
      operationId: 'setCartItemQuantity',
      summary: "Set a cart line's quantity (0 removes the line)",
      description:
        "Sets one cart line's quantity; 0 removes the line. A line of another customer answers 404.",
      tag: 'cart',
      access: 'customer',
      params: idParams,
      body: updateCartItemBody,
      success: { status: 200, description: 'The cart after the change', schema: cartSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'CART_ITEM_NOT_FOUND', 'OUT_OF_STOCK'],
      async handle({ params, body, principal }) {
        const line = await carts.find(principal.userId, params.id);
        if (!line) throw notFound(params.id);
        if (body.quantity === 0) {
          await carts.remove(principal.userId, params.id);
        } else {
          const option = (await findOptionSnapshots(deps.db, [line.optionId])).get(line.optionId);
          const available = option?.available ?? 0;
          if (body.quantity > available) throw outOfStock(line.optionId, body.quantity, available);
          if (!(await carts.setQuantity(principal.userId, params.id, body.quantity))) throw notFound(params.id);
        }
        return presentCart(await carts.list(principal.userId));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/cart/items/:id',
      operationId: 'removeCartItem',
      summary: 'Remove a line from the cart',
      description:
        'Removes one line from the cart. A line of another customer answers 404.',
      tag: 'cart',
      access: 'customer',
      params: idParams,
      success: { status: 200, description: 'The cart after the removal', schema: cartSchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'CART_ITEM_NOT_FOUND'],
      async handle({ params, principal }) {
        if (!(await carts.remove(principal.userId, params.id))) throw notFound(params.id);
        return presentCart(await carts.list(principal.userId));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/cart',
      operationId: 'emptyCart',
      summary: 'Empty the cart',
      description:
        "Removes every line from the signed-in customer's cart.",
      tag: 'cart',
      access: 'customer',
      success: { status: 200, description: 'The empty cart', schema: cartSchema },
      errors: ['UNAUTHORIZED', 'FORBIDDEN'],
      async handle({ principal }) {
        await carts.clear(principal.userId);
        return presentCart([]);
      },
    }),
  ];
};

