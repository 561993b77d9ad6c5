import type { AddressInfo } from 'node:net';
import express, { Router } from 'express';
import { z } from 'zod';
import { createErrorHandler } from '../../src/api/middleware/errorHandler';
import { defineRoute, mountRoutes, type Guard } from '../../src/api/route';
import { createLogger } from '../../src/logging/logger';

/** The route definition is the contract: inputs are parsed by it, outputs checked by it. */
describe('mountRoutes', () => {
  const openDoor: Guard = () => (_req, _res, next) => next();
  const route = (answer: unknown) =>
    defineRoute({
      method: 'get',
      path: '/thing/:n',
      operationId: 'getThing',
      summary: 'test',
      description: 'A thing by its number.',
      tag: 'test',
      access: 'public',
      params: z.strictObject({ n: z.coerce.number().int().min(1) }),
      success: { status: 200, description: 'a thing', schema: z.object({ n: z.number().int() }) },
      errors: [],
      handle: async ({ params }) => answer ?? { n: params.n },
    });

  async function serve(answer: unknown, checkResponses: boolean) {
    const app = express();
    const router = Router();
    mountRoutes(router, [route(answer)], openDoor, checkResponses);
    app.use(router);
    app.use(createErrorHandler(createLogger({ level: 'silent', pretty: false })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  it('parses params with the route schema', async () => {
    const { base, close } = await serve(undefined, true);
    try {
      expect(await (await fetch(`${base}/thing/7`)).json()).toEqual({ n: 7 });
      const bad = await fetch(`${base}/thing/zero`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as any).error.details.issues[0]).toMatchObject({ in: 'params', path: 'n' });
    } finally {
      await close();
    }
  });

  it('refuses to send a body that drifted from the documented schema', async () => {
    const strict = await serve({ n: 'seven' }, true);
    const lenient = await serve({ n: 'seven' }, false);
    try {
      expect((await fetch(`${strict.base}/thing/7`)).status).toBe(500);
      expect((await fetch(`${lenient.base}/thing/7`)).status).toBe(200);
    } finally {
      await strict.close();
      await lenient.close();
    }
  });
});
