import { request } from '../support/http';
import { useTestStack } from '../support/stack';

describe('health and API description', () => {
  const stack = useTestStack();

  it('reports liveness and readiness of PostgreSQL and Temporal', async () => {
    expect((await request(stack.baseUrl, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(stack.baseUrl, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'up', temporal: 'up' } });
  });

  it('stays ready while a rush holds every connection of the requests\' pool, and is live without the database', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Every connection of the API's pool (20) busy, as in a sale's first second.
    const holders = Array.from({ length: 20 }, () => stack.db.transaction(() => held));
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const catalog = request(stack.baseUrl, 'GET', '/api/v1/products');
      const ready = await request(stack.baseUrl, 'GET', '/readyz');
      expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'up', temporal: 'up' } });
      expect((await request(stack.baseUrl, 'GET', '/healthz')).status).toBe(200);
      // The request that needs the pool is still waiting for a connection.
      expect(await Promise.race([catalog.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 100))])).toBe('waiting');
      release();
      expect((await catalog).status).toBe(200);
    } finally {
      release();
      await Promise.all(holders);
    }
  });

  it('echoes a sane caller request id and mints one otherwise', async () => {
    const given = await request(stack.baseUrl, 'GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const minted = await request(stack.baseUrl, 'GET', '/healthz', { headers: { 'x-request-id': 'bad id\twith tab' } });
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes an OpenAPI document that lists every mounted endpoint', async () => {
    const doc = await request(stack.baseUrl, 'GET', '/api/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths).sort()).toEqual([
      '/api/v1/admin/coupons',
      '/api/v1/admin/deliveries',
      '/api/v1/admin/orders',
      '/api/v1/admin/orders/{id}/delivery',
      '/api/v1/admin/product-options/{optionId}/restock',
      '/api/v1/admin/products',
      '/api/v1/auth/login',
      '/api/v1/auth/logout',
      '/api/v1/auth/signup',
      '/api/v1/cart',
      '/api/v1/cart/items',
      '/api/v1/cart/items/{id}',
      '/api/v1/coupons/{id}',
      '/api/v1/coupons/{id}/issue',
      '/api/v1/orders',
      '/api/v1/orders/{id}',
      '/api/v1/orders/{id}/cancel',
      '/api/v1/orders/{id}/payment',
      '/api/v1/products',
      '/api/v1/products/popular',
      '/api/v1/products/{id}',
      '/api/v1/users/me',
      '/api/v1/users/me/coupons',
      '/healthz',
      '/readyz',
    ]);
    const issue = doc.body.paths['/api/v1/coupons/{id}/issue'].post;
    expect(Object.keys(issue.responses).sort()).toEqual(['201', '400', '401', '403', '404', '409', '413', '422', '431', '500', '503']);
    expect(issue.security).toEqual([{ bearerAuth: [] }]);
    // Every route documents a body's failures: JSON is read before the route, even one that takes none.
    const signup = doc.body.paths['/api/v1/auth/signup'].post;
    expect(Object.keys(signup.responses).sort()).toEqual(['201', '400', '409', '413', '429', '431', '500', '503']);
    expect(signup.responses['400'].description).toContain('MALFORMED_JSON');
    // The Idempotency-Key header is documented as a required header parameter.
    const place = doc.body.paths['/api/v1/orders'].post;
    expect(place.parameters).toEqual([expect.objectContaining({ in: 'header', name: 'idempotency-key', required: true })]);
    expect(Object.keys(place.responses).sort()).toEqual(['201', '400', '401', '403', '404', '409', '413', '422', '431', '500', '503']);
  });

  it('serves the API docs page', async () => {
    const page = await fetch(`${stack.baseUrl}/api/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
  });
});
