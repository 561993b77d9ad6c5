import { randomUUID } from 'node:crypto';
import { createCartRepository } from '../../src/db/repositories/carts';
import { createProductRepository } from '../../src/db/repositories/products';
import { createCoupon, signInAdmin, signUpCustomer, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { productWithStock, stockOf } from '../support/catalog';
import { placeOrder } from '../support/orders';
import { useTestStack } from '../support/stack';

describe('cart and order placement', () => {
  const stack = useTestStack();
  let admin: TestUser;

  beforeAll(async () => {
    admin = await signInAdmin(stack);
  });

  const cart = (user: TestUser, method: string, path = '', body?: unknown) =>
    request(stack.baseUrl, method, `/api/v1/cart${path}`, { token: user.token, body });

  it('keeps lines with snapshots, adds to a line, changes and removes lines, refuses more than available', async () => {
    const customer = await signUpCustomer(stack);
    const product = await createProductRepository(stack.db).insert({
      name: 'Hoodie',
      description: null,
      price: 30000,
      category: 'apparel',
      imageUrl: null,
      options: [
        { type: 'SIZE', name: 'M', additionalPrice: 0, stock: 5 },
        { type: 'SIZE', name: 'XL', additionalPrice: 2000, stock: 2 },
      ],
    });
    const [m, xl] = product.options.map((o) => o.id);

    const first = await cart(customer, 'POST', '/items', { productOptionId: xl, quantity: 1 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ productOptionId: xl, productName: 'Hoodie', optionName: 'XL', unitPrice: 32000, quantity: 1, lineAmount: 32000 });
    const added = await cart(customer, 'POST', '/items', { productOptionId: xl, quantity: 1 });
    expect(added.body).toMatchObject({ id: first.body.id, quantity: 2 });
    const tooMany = await cart(customer, 'POST', '/items', { productOptionId: xl, quantity: 1 });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error).toMatchObject({ code: 'OUT_OF_STOCK', details: { optionId: xl, requested: 3, available: 2 } });
    expect((await cart(customer, 'POST', '/items', { productOptionId: m, quantity: 6 })).status).toBe(409);
    expect((await cart(customer, 'POST', '/items', { productOptionId: m, quantity: 2 })).status).toBe(201);

    const shown = await cart(customer, 'GET');
    expect(shown.body).toMatchObject({ totalQuantity: 4, totalAmount: 2 * 32000 + 2 * 30000 });

    const patched = await cart(customer, 'PATCH', `/items/${first.body.id}`, { quantity: 1 });
    expect(patched.status).toBe(200);
    expect(patched.body.totalQuantity).toBe(3);
    expect((await cart(customer, 'PATCH', `/items/${first.body.id}`, { quantity: 3 })).status).toBe(409);
    const removed = await cart(customer, 'PATCH', `/items/${first.body.id}`, { quantity: 0 });
    expect(removed.body.items.map((i: { optionName: string }) => i.optionName)).toEqual(['M']);
    expect((await cart(customer, 'DELETE', `/items/${first.body.id}`)).status).toBe(404);
    const other = await signUpCustomer(stack);
    const mLine = removed.body.items[0].id;
    expect((await request(stack.baseUrl, 'PATCH', `/api/v1/cart/items/${mLine}`, { token: other.token, body: { quantity: 1 } })).status).toBe(404);
    expect((await cart(customer, 'DELETE')).body).toEqual({ items: [], totalQuantity: 0, totalAmount: 0 });
  });

  it('orders the cart (fromCart) and clears exactly the lines it used', async () => {
    const customer = await signUpCustomer(stack);
    const [a, b] = await productWithStock(stack.db, [5, 5]);
    await cart(customer, 'POST', '/items', { productOptionId: a, quantity: 2 });

    const placed = await placeOrder(stack, customer, { fromCart: true, items: [{ productOptionId: b, quantity: 1 }] });

    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ totalAmount: 3000, discountAmount: 0, finalAmount: 3000 });
    expect((await cart(customer, 'GET')).body.items).toEqual([]);
    expect(await stockOf(stack.db, a)).toMatchObject({ reserved: 2 });
    expect(await stockOf(stack.db, b)).toMatchObject({ reserved: 1 });
    const empty = await placeOrder(stack, customer, { fromCart: true });
    expect(empty.status).toBe(422);
    expect(empty.body.error.code).toBe('CART_EMPTY');
  });

  it('takes out of the cart only what the order used, when the line grew meanwhile', async () => {
    const customer = await signUpCustomer(stack);
    const [a, b] = await productWithStock(stack.db, [9, 9]);
    const lineA = (await cart(customer, 'POST', '/items', { productOptionId: a, quantity: 2 })).body;
    const lineB = (await cart(customer, 'POST', '/items', { productOptionId: b, quantity: 1 })).body;
    // The order read A at 2 and B at 1; the customer then added 3 more of A.
    await createCartRepository(stack.db).add(customer.userId, { optionId: a, quantity: 3, productName: 'x', optionName: 'y', unitPrice: 1000 }, 9);

    await stack.db.transaction((trx) =>
      createCartRepository(stack.db).takeOut(trx, customer.userId, [
        { id: lineA.id, quantity: 2 },
        { id: lineB.id, quantity: 1 },
      ]),
    );

    const left = (await cart(customer, 'GET')).body.items;
    expect(left).toEqual([expect.objectContaining({ id: lineA.id, quantity: 3 })]);
  });

  it('refuses an order whose total does not fit an amount, and gives the stock back', async () => {
    const customer = await signUpCustomer(stack);
    const product = await createProductRepository(stack.db).insert({
      name: 'Yacht',
      description: null,
      price: 2_000_000_000,
      category: 'boats',
      imageUrl: null,
      options: [{ type: 'DEFAULT', name: 'Default', additionalPrice: 0, stock: 3 }],
    });
    const optionId = product.options[0].id;

    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 2 }] });

    expect(placed.status).toBe(422);
    expect(placed.body.error).toMatchObject({ code: 'ORDER_TOO_LARGE', details: { totalAmount: 4_000_000_000 } });
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 3, available: 3, reserved: 0, sold: 0 });
  });

  it('refuses coupons that are not usable, and gives the reserved stock back', async () => {
    const customer = await signUpCustomer(stack);
    const other = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [3]);
    const claim = async (user: TestUser, overrides: Parameters<typeof createCoupon>[2]) => {
      const coupon = await createCoupon(stack, admin, overrides);
      return (await request(stack.baseUrl, 'POST', `/api/v1/coupons/${coupon.id}/issue`, { token: user.token })).body.userCouponId as string;
    };
    const line = { items: [{ productOptionId: optionId, quantity: 1 }] };

    const minimum = await placeOrder(stack, customer, { ...line, userCouponId: await claim(customer, { minOrderAmount: 5000 }) });
    expect(minimum.status).toBe(422);
    expect(minimum.body.error).toMatchObject({ code: 'COUPON_MIN_ORDER_NOT_MET', details: { minOrderAmount: 5000, totalAmount: 1000 } });
    const whole = await placeOrder(stack, customer, { ...line, userCouponId: await claim(customer, { discountType: 'PERCENTAGE', discountValue: 100 }) });
    expect(whole.body.error.code).toBe('DISCOUNT_EXCEEDS_TOTAL');
    const someoneElses = await placeOrder(stack, customer, { ...line, userCouponId: await claim(other, {}) });
    expect(someoneElses.body.error).toMatchObject({ code: 'COUPON_NOT_USABLE', details: { reason: 'NOT_FOUND' } });
    const unknownOption = await placeOrder(stack, customer, { items: [{ productOptionId: randomUUID(), quantity: 1 }] });
    expect(unknownOption.status).toBe(404);
    expect(unknownOption.body.error.code).toBe('OPTION_NOT_FOUND');

    expect(await stockOf(stack.db, optionId)).toEqual({ total: 3, available: 3, reserved: 0, sold: 0 });

    // One coupon, two orders placed at once: exactly one gets the discount.
    const shared = await claim(customer, { discountValue: 200 });
    const both = await Promise.all([1, 2].map(() => placeOrder(stack, customer, { ...line, userCouponId: shared })));
    expect(both.map((r) => r.status).sort()).toEqual([201, 422]);
    expect(both.find((r) => r.status === 422)!.body.error).toMatchObject({ code: 'COUPON_NOT_USABLE', details: { reason: 'USED' } });
    expect(await stockOf(stack.db, optionId)).toMatchObject({ available: 2, reserved: 1 });
  });

  it('answers bad requests with 400 and the one error shape, and lists orders newest first', async () => {
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [5]);
    const line = { items: [{ productOptionId: optionId, quantity: 1 }] };
    const post = (headers: Record<string, string>, body: unknown) =>
      request(stack.baseUrl, 'POST', '/api/v1/orders', { token: customer.token, headers, body });

    const missing = await post({}, line);
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.issues[0]).toMatchObject({ in: 'headers', path: 'idempotency-key' });
    expect((await post({ 'idempotency-key': 'has space' }, line)).status).toBe(400);
    expect((await post({ 'idempotency-key': 'x'.repeat(65) }, line)).status).toBe(400);
    expect((await post({ 'idempotency-key': 'ok' }, {})).status).toBe(400);
    expect((await post({ 'idempotency-key': 'ok' }, { items: [{ productOptionId: optionId, quantity: 0 }] })).status).toBe(400);
    expect((await post({ 'idempotency-key': 'ok' }, { ...line, fromCart: false })).status).toBe(400);
    expect((await post({ 'idempotency-key': 'ok' }, { ...line, extra: 1 })).status).toBe(400);
    const badCard = await request(stack.baseUrl, 'POST', `/api/v1/orders/${randomUUID()}/payment`, {
      token: customer.token,
      headers: { 'idempotency-key': 'k' },
      body: { cardToken: 'not a token' },
    });
    expect(badCard.status).toBe(400);
    // None of the refused requests placed anything.
    expect(await stockOf(stack.db, optionId)).toMatchObject({ reserved: 0 });

    const first = await placeOrder(stack, customer, line);
    const second = await placeOrder(stack, customer, line);
    const listed = await request(stack.baseUrl, 'GET', '/api/v1/orders?limit=1', { token: customer.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ total: 2, page: 1, limit: 1, totalPages: 2 });
    expect(listed.body.items[0].orderId).toBe(second.body.orderId);
    const page2 = await request(stack.baseUrl, 'GET', '/api/v1/orders?limit=1&page=2', { token: customer.token });
    expect(page2.body.items[0].orderId).toBe(first.body.orderId);
  });
});
