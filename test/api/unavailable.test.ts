import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../src/api/app';
import { createAuthLimits, createTarpit } from '../../src/api/authLimits';
import { createHashingGate } from '../../src/auth/passwords';
import { createSessionCheck } from '../../src/auth/sessions';
import { createTokenService } from '../../src/auth/tokens';
import { createDb, type Knex } from '../../src/db/knex';
import { createLogger } from '../../src/logging/logger';
import { createOrchestration } from '../../src/orchestration/wiring';
import { createReadinessCheck } from '../../src/platform/readiness';
import { connectClient } from '../../src/temporal/client';
import { testEnvironment } from '../support/environment';
import { request } from '../support/http';
import { freePort } from '../support/ports';

/** With PostgreSQL unreachable the API says so (503), and readiness names the culprit. */
describe('a backing service is down', () => {
  let server: Server;
  let baseUrl: string;
  let db: Knex;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const env = testEnvironment();
    // Nothing listens on a port that was free a moment ago.
    const logger = createLogger({ level: 'silent', pretty: false });
    db = createDb({ url: `postgres://postgres:postgres@127.0.0.1:${await freePort()}/none`, poolMax: 2, logger });
    const { client, connection } = await connectClient({ address: env.temporalAddress, namespace: env.namespace });
    const app = createApp({
      logger,
      db,
      tokens: createTokenService({ secret: 'x'.repeat(32), ttlSeconds: 60 }),
      sessions: createSessionCheck(db, { cacheTtlMs: 1000 }),
      authLimits: createAuthLimits(db, { perAddressPerMinute: 0, perAccountPerMinute: 0 }),
      hashing: createHashingGate({ concurrency: 2, queue: 64 }),
      refusalTarpit: createTarpit({ delayMs: 0, maxHeld: 0 }),
      ...createOrchestration({ db, client, taskQueue: 'unused', resultTimeoutMs: 1000, reservationTtlMs: 60_000 }),
      checkReadiness: createReadinessCheck(db, connection),
      bodyLimit: '100kb',
      checkResponses: true,
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = async () => {
      await new Promise((resolve) => server.close(resolve));
      await connection.close();
      await db.destroy();
    };
  });
  afterAll(() => close?.());

  it('reports not ready, naming PostgreSQL', async () => {
    const ready = await request(baseUrl, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { checks: { postgres: 'down', temporal: 'up' } },
    });
    expect((await request(baseUrl, 'GET', '/healthz')).status).toBe(200);
  });

  it('answers 503, not 500, to a request that needs the database', async () => {
    const login = await request(baseUrl, 'POST', '/api/v1/auth/login', { body: { email: 'a@test.example', password: 'whatever1' } });
    expect(login.status).toBe(503);
    expect(login.body.error.code).toBe('SERVICE_UNAVAILABLE');
  });
});
