import { z } from 'zod';
import { createOrderDeliveryRepository, type DeliveryState } from '../../db/repositories/orderDeliveries';
import { createOrderRepository } from '../../db/repositories/orders';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { idParams, pageBody, pageOf, pageQuery } from '../schemas';

const deliveriesQuery = z.strictObject({
  ...pageQuery,
  state: z
    .enum(['waiting', 'failing', 'delivered'])
    .default('waiting')
    .meta({ description: 'waiting: not taken by the data platform yet; failing: waiting and failed at least once; delivered' }),
});

const deliverySchema = z
  .object({
    orderId: z.uuid(),
    createdAt: z.iso.datetime().meta({ description: 'When the order completed and its delivery was queued' }),
    attempts: z.number().int().meta({ description: 'Failed attempts so far' }),
    nextAttemptAt: z.iso.datetime().meta({ description: 'When the delivery Schedule tries it next (if not delivered)' }),
    firstFailedAt: z.iso.datetime().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.iso.datetime().nullable().meta({ description: 'When the data platform took it' }),
  })
  .meta({ id: 'Delivery' });

const replaySchema = z
  .object({
    orderId: z.uuid(),
    workflowId: z.string().meta({ description: "The replay's workflow: the Web UI shows it retrying while the data platform is away" }),
    runId: z.string(),
  })
  .meta({ id: 'DeliveryReplay' });

const iso = (date: Date | null) => date?.toISOString() ?? null;
const presentDelivery = (d: DeliveryState): z.input<typeof deliverySchema> => ({
  orderId: d.orderId,
  createdAt: d.createdAt.toISOString(),
  attempts: d.attempts,
  nextAttemptAt: d.nextAttemptAt.toISOString(),
  firstFailedAt: iso(d.firstFailedAt),
  lastError: d.lastError,
  deliveredAt: iso(d.deliveredAt),
});

/** Ops' view of the deliveries of completed orders to the data platform, and the replay of one (docs/data-platform.md). */
export const deliveryRoutes = (deps: AppDeps) => {
  const deliveries = createOrderDeliveryRepository(deps.db);
  const orders = createOrderRepository(deps.db);
  return [
    defineRoute({
      method: 'get',
      path: '/admin/deliveries',
      operationId: 'listDeliveries',
      summary: 'Deliveries of completed orders to the data platform, by state',
      description:
        'Admin only. The outbox of completed orders (one delivery per order, queued when it completed), read from PostgreSQL: what waits (oldest first), what keeps failing with its last error and next attempt, or what was delivered (newest first).',
      tag: 'admin',
      access: 'admin',
      query: deliveriesQuery,
      success: { status: 200, description: 'A page of deliveries', schema: pageOf(deliverySchema) },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN'],
      async handle({ query }) {
        const { deliveries: page, total } = await deliveries.list(query);
        return pageBody(page.map(presentDelivery), total, query);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/admin/orders/:id/delivery',
      operationId: 'replayDelivery',
      summary: "Send a completed order's delivery to the data platform again",
      description:
        "Admin only. Starts the order's replay (workflow `redeliver-order:<orderId>`), or joins the one already running: the order is sent again from the payload stored when it completed (an order completed before deliveries existed gets one now), under the same idempotency key, so the data platform still keeps one record. The replay retries while the data platform is away and ends failed (DELIVERY_REFUSED) if it refuses the order; its workflow's result says whether the data platform already had the order.",
      tag: 'admin',
      access: 'admin',
      params: idParams,
      success: { status: 202, description: 'The replay started (or was already running)', schema: replaySchema },
      errors: ['VALIDATION_FAILED', 'UNAUTHORIZED', 'FORBIDDEN', 'ORDER_NOT_FOUND', 'ORDER_NOT_COMPLETED', 'SERVICE_UNAVAILABLE'],
      async handle({ params }) {
        // An order completed before deliveries existed gets its delivery here.
        if (!(await deliveries.ensureFor(params.id))) {
          const order = await orders.find(params.id);
          if (!order) throw new ApiError('ORDER_NOT_FOUND', `order ${params.id} does not exist`, { orderId: params.id });
          throw new ApiError('ORDER_NOT_COMPLETED', `order ${params.id} is ${order.status}: only a completed order is delivered`, { orderId: params.id, status: order.status });
        }
        return { orderId: params.id, ...(await deps.deliveryReplays.replay(params.id)) };
      },
    }),
  ];
};
