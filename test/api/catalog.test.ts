import { randomUUID } from 'node:crypto';
import { signInAdmin, signUpCustomer, type TestUser } from '../support/factories';
import { request } from '../support/http';
import { useTestStack } from '../support/stack';
import { createStockActivities } from '../../src/activities/stock';

describe('catalog', () => {
  const stack = useTestStack();
  let admin: TestUser;
  let customer: TestUser;
  beforeAll(async () => {
    admin = await signInAdmin(stack);
    customer = await signUpCustomer(stack);
  });

  const createProduct = (body: unknown, token = admin.token) =>
    request(stack.baseUrl, 'POST', '/api/v1/admin/products', { token, body });
  const shirt = (overrides: Record<string, unknown> = {}) => ({
    name: 'T-shirt',
    description: 'Cotton',
    price: 2500,
    category: 'apparel',
    imageUrl: 'https://img.example/shirt.png',
    options: [
      { type: 'SIZE', name: 'M', additionalPrice: 0, stock: 3 },
      { type: 'SIZE', name: 'XL', additionalPrice: 500, stock: 0 },
    ],
    ...overrides,
  });

  it('creates a product with options and shows each option with its stock', async () => {
    const created = await createProduct(shirt());
    expect(created.status).toBe(201);
    expect(created.body.options.map((o: { name: string }) => o.name)).toEqual(['M', 'XL']);

    const shown = await request(stack.baseUrl, 'GET', `/api/v1/products/${created.body.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ name: 'T-shirt', price: 2500, category: 'apparel', stockStatus: 'IN_STOCK' });
    expect(shown.body.options).toEqual([
      { id: expect.any(String), type: 'SIZE', name: 'M', additionalPrice: 0, availableQuantity: 3, stockStatus: 'IN_STOCK', selectable: true },
      { id: expect.any(String), type: 'SIZE', name: 'XL', additionalPrice: 500, availableQuantity: 0, stockStatus: 'SOLD_OUT', selectable: false },
    ]);
  });

  it('gives a product without options one default option holding its stock', async () => {
    const created = await createProduct(shirt({ options: undefined, stock: 7 }));
    expect(created.status).toBe(201);
    expect(created.body.options).toEqual([
      expect.objectContaining({ type: 'DEFAULT', name: 'Default', availableQuantity: 7, selectable: true }),
    ]);
    const rows = await stack.db('stocks').where({ option_id: created.body.options[0].id });
    expect(rows).toHaveLength(1);
  });

  it('treats an empty image URL as no image', async () => {
    const created = await createProduct(shirt({ imageUrl: '', description: undefined }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ imageUrl: null, description: null });
  });

  it('counts only available units: reserved stock is not on the shelf', async () => {
    const created = await createProduct(shirt({ options: undefined, stock: 2 }));
    const optionId = created.body.options[0].id;
    await createStockActivities({ db: stack.db }).reserveStock({ orderId: randomUUID(), items: [{ optionId, quantity: 2 }] });
    const shown = await request(stack.baseUrl, 'GET', `/api/v1/products/${created.body.id}`);
    expect(shown.body.stockStatus).toBe('SOLD_OUT');
    expect(shown.body.options[0]).toMatchObject({ availableQuantity: 0, stockStatus: 'SOLD_OUT', selectable: false });
  });

  it('restocks an option: total and available grow together', async () => {
    const created = await createProduct(shirt());
    const xl = created.body.options[1].id;
    const restocked = await request(stack.baseUrl, 'POST', `/api/v1/admin/product-options/${xl}/restock`, {
      token: admin.token,
      body: { quantity: 5 },
    });
    expect(restocked.status).toBe(200);
    expect(restocked.body).toEqual({ optionId: xl, total: 5, available: 5, reserved: 0, sold: 0 });
    const shown = await request(stack.baseUrl, 'GET', `/api/v1/products/${created.body.id}`);
    expect(shown.body.options[1]).toMatchObject({ availableQuantity: 5, selectable: true });
  });

  describe('listing', () => {
    const category = `cat-${randomUUID()}`;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      for (const [name, price, stock] of [['A', 300, 1], ['B', 100, 0], ['C', 200, 5]] as const) {
        const created = await createProduct(shirt({ name, price, category, options: undefined, stock }));
        ids[name] = created.body.id;
      }
    });
    const list = (query: string) => request(stack.baseUrl, 'GET', `/api/v1/products?category=${category}&${query}`);

    it('pages, newest first by default', async () => {
      const first = await list('limit=2');
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ total: 3, page: 1, limit: 2, totalPages: 2 });
      expect(first.body.items.map((i: { name: string }) => i.name)).toEqual(['C', 'B']);
      const second = await list('limit=2&page=2');
      expect(second.body.items.map((i: { name: string }) => i.name)).toEqual(['A']);
      expect((await list('limit=2&page=3')).body.items).toEqual([]);
    });

    it('sorts by price both ways and reports stock status', async () => {
      const asc = await list('sort=price_asc');
      expect(asc.body.items.map((i: { name: string }) => i.name)).toEqual(['B', 'C', 'A']);
      expect(asc.body.items[0]).toEqual({ id: ids.B, name: 'B', price: 100, imageUrl: 'https://img.example/shirt.png', stockStatus: 'SOLD_OUT' });
      const desc = await list('sort=price_desc');
      expect(desc.body.items.map((i: { name: string }) => i.name)).toEqual(['A', 'C', 'B']);
    });
  });

  describe('bad input', () => {
    const expect400 = (response: { status: number; body: any }) => {
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.details.issues.length).toBeGreaterThan(0);
    };

    it.each([
      ['no name', shirt({ name: '' })],
      ['negative price', shirt({ price: -1 })],
      ['fractional price', shirt({ price: 10.5 })],
      ['no category', shirt({ category: undefined })],
      ['a non-http image URL', shirt({ imageUrl: 'javascript:alert(1)' })],
      ['negative option stock', shirt({ options: [{ type: 'SIZE', name: 'M', additionalPrice: 0, stock: -1 }] })],
      ['an option without stock', shirt({ options: [{ type: 'SIZE', name: 'M', additionalPrice: 0 }] })],
      ['duplicate options', shirt({ options: [{ type: 'SIZE', name: 'M', stock: 1 }, { type: 'SIZE', name: 'M', stock: 1 }] })],
      ['stock beside options', shirt({ stock: 5 })],
      ['an unknown field', shirt({ colour: 'red' })],
    ])('refuses a product with %s and writes nothing', async (_label, body) => {
      const before = Number((await stack.db('products').count<{ c: string }[]>('* as c'))[0].c);
      expect400(await createProduct(body));
      expect(Number((await stack.db('products').count<{ c: string }[]>('* as c'))[0].c)).toBe(before);
    });

    it.each(['page=0', 'page=abc', 'limit=0', 'limit=101', 'sort=cheapest', 'category=', 'colour=red'])(
      'refuses a listing with %s',
      async (query) => expect400(await request(stack.baseUrl, 'GET', `/api/v1/products?${query}`)),
    );

    it('refuses a bad product id or option id, and a bad restock quantity', async () => {
      expect400(await request(stack.baseUrl, 'GET', '/api/v1/products/not-a-uuid'));
      const restock = (optionId: string, body: unknown) =>
        request(stack.baseUrl, 'POST', `/api/v1/admin/product-options/${optionId}/restock`, { token: admin.token, body });
      expect400(await restock('nope', { quantity: 1 }));
      const created = await createProduct(shirt());
      const option = created.body.options[0].id;
      for (const body of [{}, { quantity: 0 }, { quantity: -3 }, { quantity: 1.5 }, { quantity: '2' }]) {
        expect400(await restock(option, body));
      }
      expect400(await restock(option, { quantity: 2_147_483_647 }));
      const shown = await request(stack.baseUrl, 'GET', `/api/v1/products/${created.body.id}`);
      expect(shown.body.options[0].availableQuantity).toBe(3);
    });

    it('answers 404 for unknown ids', async () => {
      const product = await request(stack.baseUrl, 'GET', `/api/v1/products/${randomUUID()}`);
      expect(product.status).toBe(404);
      expect(product.body.error.code).toBe('PRODUCT_NOT_FOUND');
      const option = await request(stack.baseUrl, 'POST', `/api/v1/admin/product-options/${randomUUID()}/restock`, {
        token: admin.token,
        body: { quantity: 1 },
      });
      expect(option.status).toBe(404);
      expect(option.body.error.code).toBe('OPTION_NOT_FOUND');
    });

    it('keeps admin endpoints for admins', async () => {
      expect((await createProduct(shirt(), customer.token)).status).toBe(403);
      expect((await request(stack.baseUrl, 'POST', '/api/v1/admin/products', { body: shirt() })).status).toBe(401);
    });
  });
});
