import createClient from 'openapi-fetch';
import type { paths } from './schema';

/**
 * A typed client of the order platform's API, generated from its OpenAPI description:
 * `schema.d.ts` is openapi-typescript's output (`npm run client:generate` against a
 * running API), and openapi-fetch turns it into calls whose paths, bodies and answers
 * the compiler checks. `token` is a Bearer token from `POST /api/v1/auth/login`.
 */
export function createOrderPlatformClient(baseUrl: string, token?: string) {
  return createClient<paths>({ baseUrl, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

export type OrderPlatformClient = ReturnType<typeof createOrderPlatformClient>;
