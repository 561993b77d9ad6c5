import { z } from 'zod';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { defineRoute } from '../route';

const checks = z.record(z.string(), z.enum(['up', 'down']));

export const healthRoutes = (deps: AppDeps) => [
  defineRoute({
    method: 'get',
    path: '/healthz',
    operationId: 'getLiveness',
    summary: 'Liveness: the process is up',
    description:
      'Liveness for a process supervisor: answers while the process runs, without touching PostgreSQL or Temporal.',
    tag: 'health',
    access: 'public',
    success: { status: 200, description: 'Up', schema: z.object({ status: z.literal('ok') }) },
    errors: [],
    handle: async () => ({ status: 'ok' as const }),
  }),
  defineRoute({
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'Readiness: PostgreSQL and Temporal answer, and the gateway simulator this process runs is up',
    description:
      'Readiness for a load balancer: PostgreSQL (on a connection of its own), Temporal and, where this process runs it, the gateway simulator answer. 503 names what is down.',
    tag: 'health',
    access: 'public',
    success: { status: 200, description: 'Ready', schema: z.object({ status: z.literal('ready'), checks }) },
    errors: ['SERVICE_UNAVAILABLE'],
    async handle() {
      const results = await deps.checkReadiness();
      const named = Object.fromEntries(Object.entries(results).map(([name, up]) => [name, up ? 'up' : 'down']));
      if (Object.values(results).some((up) => !up)) {
        throw new ApiError('SERVICE_UNAVAILABLE', 'a backing service is not reachable', { checks: named });
      }
      return { status: 'ready' as const, checks: named };
    },
  }),
];
