import { request } from '../support/http';
import { useTestStack } from '../support/stack';

/** Security headers on every answer, and a CORS policy that lets in only the configured origins. */
describe('security headers and CORS', () => {
  const stack = useTestStack({ corsOrigins: ['https://shop.example'] });

  it('sends the security headers on answers and errors alike', async () => {
    for (const path of ['/api/v1/products', '/api/v1/nothing-here', '/api/v1/users/me']) {
      const { headers } = await request(stack.baseUrl, 'GET', path);
      expect({
        path,
        nosniff: headers.get('x-content-type-options'),
        frames: headers.get('x-frame-options'),
        csp: headers.get('content-security-policy')?.includes("default-src 'self'"),
        poweredBy: headers.get('x-powered-by'),
      }).toEqual({ path, nosniff: 'nosniff', frames: 'SAMEORIGIN', csp: true, poweredBy: null });
    }
  });

  it('answers a preflight from a configured origin, with the headers a checkout needs, and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`${stack.baseUrl}/api/v1/orders`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
      });
    const allowed = await preflight('https://shop.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('authorization,content-type,idempotency-key');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const read = await request(stack.baseUrl, 'GET', '/api/v1/products', { headers: { origin: 'https://shop.example' } });
    expect(read.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(read.headers.get('access-control-expose-headers')).toContain('idempotent-replayed');
  });
});
