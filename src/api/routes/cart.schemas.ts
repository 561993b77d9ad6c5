import { z } from 'zod';
import type { CartItem } from '../../db/repositories/carts';
import { uuid } from '../schemas';

/** Bounded so a line's quantity, times any price, stays a sane integer. */
export const lineQuantity = z.number().int('must be an integer').min(1).max(10_000);

export const addCartItemBody = z.strictObject({ productOptionId: uuid, quantity: lineQuantity });

export const updateCartItemBody = z.strictObject({
  quantity: z.number().int('must be an integer').min(0).max(10_000).meta({ description: '0 removes the line' }),
});

export const cartItemSchema = z
  .object({
    id: z.uuid(),
    productOptionId: z.uuid(),
    productName: z.string(),
    optionName: z.string(),
    unitPrice: z.number().int(),
    quantity: z.number().int(),
    lineAmount: z.number().int(),
  })
  .meta({ id: 'CartItem' });

export const cartSchema = z
  .object({ items: z.array(cartItemSchema), totalQuantity: z.number().int(), totalAmount: z.number().int() })
  .meta({ id: 'Cart' });

export const presentCartItem = (item: CartItem): z.input<typeof cartItemSchema> => ({
  id: item.id,
  productOptionId: item.optionId,
  productName: item.productName,
  optionName: item.optionName,
  unitPrice: item.unitPrice,
  quantity: item.quantity,
  lineAmount: item.unitPrice * item.quantity,
});

export const presentCart = (items: CartItem[]): z.input<typeof cartSchema> => ({
  items: items.map(presentCartItem),
  totalQuantity: items.reduce((sum, i) => sum + i.quantity, 0),
  totalAmount: items.reduce((sum, i) => sum + i.unitPrice * i.quantity, 0),
});
