import { z } from 'zod';
import type { SagaProgress } from '../../contracts/orders';
import { summarise, type Order, type OrderWithItems } from '../../db/repositories/orders';
import { pageOf, pageQuery, uuid } from '../schemas';
import { lineQuantity } from './cart.schemas';

export const placeOrderBody = z
  .strictObject({
    items: z.array(z.strictObject({ productOptionId: uuid, quantity: lineQuantity })).max(100).optional(),
    fromCart: z.literal(true).optional().meta({ description: "Order the cart's lines (with any items given)" }),
    userCouponId: uuid.optional().meta({ description: 'A coupon the customer holds (GET /users/me/coupons)' }),
  })
  .refine((body) => (body.items?.length ?? 0) > 0 || body.fromCart === true, {
    message: 'give items, or fromCart: true, or both',
    path: ['items'],
  });

export const payOrderBody = z.strictObject({
  cardToken: z
    .string()
    .regex(/^tok_[A-Za-z0-9_]{1,60}$/, 'must be a card token like tok_visa, as the payment form returns')
    .meta({ example: 'tok_visa' }),
});

export const listOrdersQuery = z.strictObject(pageQuery);

const status = z.enum(['PENDING_PAYMENT', 'COMPLETED', 'CANCELLED', 'EXPIRED', 'FAILED']);

export const adminOrdersQuery = listOrdersQuery.extend({
  state: status.optional().meta({ description: "The order's status" }),
  needsAttention: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional()
    .meta({ description: 'Only orders whose payment saga has a compensation that keeps failing (true), or the others' }),
});

export const adminOrderSchema = z
  .object({
    orderId: z.uuid(),
    customerId: z.uuid(),
    status,
    finalAmount: z.number().int(),
    needsAttention: z.boolean(),
    failureReason: z.string().nullable(),
    workflowId: z.string(),
    sagaWorkflowId: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'AdminOrder' });

export const adminOrderPageSchema = pageOf(adminOrderSchema);

export const presentAdminOrder = (o: Order): z.input<typeof adminOrderSchema> => ({
  orderId: o.id,
  customerId: o.userId,
  status: o.status,
  finalAmount: o.finalAmount,
  needsAttention: o.needsAttention,
  failureReason: o.failureReason,
  workflowId: o.workflowId,
  sagaWorkflowId: o.sagaWorkflowId,
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});

export const orderSummarySchema = z
  .object({
    orderId: z.uuid(),
    status,
    totalAmount: z.number().int(),
    discountAmount: z.number().int(),
    finalAmount: z.number().int(),
    reservationExpiresAt: z.iso.datetime(),
  })
  .meta({ id: 'OrderSummary' });

export const paidOrderSchema = z
  .object({
    orderId: z.uuid(),
    status: z.literal('COMPLETED'),
    paymentKey: z.string(),
    paidAt: z.iso.datetime(),
    amount: z.number().int(),
  })
  .meta({ id: 'PaidOrder' });

const sagaProgressSchema = z.object({
  state: z.enum(['RUNNING', 'COMPLETED', 'DECLINED', 'COMPENSATING', 'COMPENSATED']),
  currentStep: z.string().nullable(),
  completedSteps: z.array(z.string()),
  failedStep: z.string().nullable(),
  failureReason: z.string().nullable(),
  compensations: z.array(z.object({ name: z.string(), state: z.enum(['PENDING', 'RUNNING', 'DONE']), failedRounds: z.number().int() })),
  needsAttention: z.boolean(),
});

export const orderSchema = z
  .object({
    orderId: z.uuid(),
    status,
    items: z.array(
      z.object({
        productOptionId: z.uuid(),
        productId: z.uuid(),
        productName: z.string(),
        optionName: z.string(),
        unitPrice: z.number().int(),
        quantity: z.number().int(),
        lineAmount: z.number().int(),
      }),
    ),
    totalAmount: z.number().int(),
    discountAmount: z.number().int(),
    finalAmount: z.number().int(),
    userCouponId: z.uuid().nullable(),
    reservationExpiresAt: z.iso.datetime(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    failureReason: z.string().nullable(),
    payment: z.object({ paymentKey: z.string(), paidAt: z.iso.datetime(), amount: z.number().int() }).nullable(),
    saga: z
      .object({
        workflowId: z.string(),
        progress: sagaProgressSchema.nullable().meta({
          description: 'Live from the workflow while it runs; recorded with the order once it has ended; null when it ended without an outcome (declined, stopped) or cannot be read',
        }),
      })
      .nullable(),
  })
  .meta({ id: 'Order' });

export const orderPageSchema = pageOf(orderSummarySchema.extend({ createdAt: z.iso.datetime() }));


export function presentOrder(order: OrderWithItems, progress: SagaProgress | null): z.input<typeof orderSchema> {
  return {
    orderId: order.id,
    status: order.status,
    items: order.items.map((i) => ({
      productOptionId: i.optionId,
      productId: i.productId,
      productName: i.productName,
      optionName: i.optionName,
      unitPrice: i.unitPrice,
      quantity: i.quantity,
      lineAmount: i.lineAmount,
    })),
    totalAmount: order.totalAmount,
    discountAmount: order.discountAmount,
    finalAmount: order.finalAmount,
    userCouponId: order.userCouponId,
    reservationExpiresAt: order.reservationExpiresAt.toISOString(),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
    failureReason: order.failureReason,
    payment:
      order.paymentKey && order.paidAt ? { paymentKey: order.paymentKey, paidAt: order.paidAt.toISOString(), amount: order.finalAmount } : null,
    saga: order.sagaWorkflowId ? { workflowId: order.sagaWorkflowId, progress: progress && stripOrderId(progress) } : null,
  };
}

const stripOrderId = ({ orderId: _orderId, ...progress }: SagaProgress) => progress;

export const presentListed = (o: Order) => ({ ...summarise(o), createdAt: o.createdAt.toISOString() });
