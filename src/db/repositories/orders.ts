import type { Knex } from 'knex';
import type { OrderLine, OrderSummary, SagaProgress } from '../../contracts/orders';
import type { OrderStatus } from '../../domain/order';

export interface Order {
  id: string;
  userId: string;
  idempotencyKey: string;
  requestHash: string;
  workflowId: string;
  status: OrderStatus;
  totalAmount: number;
  discountAmount: number;
  finalAmount: number;
  userCouponId: string | null;
  reservationExpiresAt: Date;
  sagaWorkflowId: string | null;
  /** The Idempotency-Key of the payment request that started the latest payment attempt. */
  paymentRequestKey: string | null;
  paymentKey: string | null;
  paidAt: Date | null;
  failureReason: string | null;
  needsAttention: boolean;
  /** How its last payment saga ended, once it has (sagas that ended before this was recorded have none). */
  sagaOutcome: SagaProgress | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderWithItems extends Order {
  items: (OrderLine & { lineAmount: number })[];
}

export type NewOrder = Omit<
  Order,
  'status' | 'needsAttention' | 'sagaWorkflowId' | 'paymentRequestKey' | 'paymentKey' | 'paidAt' | 'failureReason' | 'sagaOutcome' | 'createdAt' | 'updatedAt'
>;

const toOrder = (r: Record<string, any>): Order => ({
  id: r.id,
  userId: r.user_id,
  idempotencyKey: r.idempotency_key,
  requestHash: r.request_hash,
  workflowId: r.workflow_id,
  status: r.status,
  totalAmount: r.total_amount,
  discountAmount: r.discount_amount,
  finalAmount: r.final_amount,
  userCouponId: r.user_coupon_id,
  reservationExpiresAt: r.reservation_expires_at,
  sagaWorkflowId: r.saga_workflow_id,
  paymentRequestKey: r.payment_request_key,
  paymentKey: r.payment_key,
  paidAt: r.paid_at,
  failureReason: r.failure_reason,
  needsAttention: r.needs_attention,
  sagaOutcome: r.saga_outcome ?? null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The order as workflows and the API's placement answer describe it. */
export const summarise = (order: Order): OrderSummary => ({
  orderId: order.id,
  status: order.status,
  totalAmount: order.totalAmount,
  discountAmount: order.discountAmount,
  finalAmount: order.finalAmount,
  reservationExpiresAt: order.reservationExpiresAt.toISOString(),
});

export function createOrderRepository(db: Knex) {
  return {
    async find(orderId: string, trx: Knex = db): Promise<Order | undefined> {
      const row = await trx('orders').where({ id: orderId }).first();
      return row ? toOrder(row) : undefined;
    },

    /** The order's row, locked until the transaction ends: status moves of one order queue here. */
    async lock(trx: Knex.Transaction, orderId: string): Promise<Order | undefined> {
      const row = await trx('orders').where({ id: orderId }).forUpdate().first();
      return row ? toOrder(row) : undefined;
    },

    /**
     * What the customer's unpaid orders hold, with the customer's row locked until the
     * transaction ends: two placements of one customer count one after the other, so a
     * limit on holdings holds under concurrency.
     */
    async lockHoldingsOf(trx: Knex.Transaction, userId: string): Promise<{ pendingOrders: number; reservedUnits: number }> {
      // NO KEY UPDATE: it queues this customer's placements, yet not the foreign-key checks
      // of rows that merely reference the customer (a claim, a cart line, an idempotency record).
      await trx('users').where({ id: userId }).forNoKeyUpdate().first('id');
      const [row] = await trx('orders as o')
        .join('order_items as i', 'i.order_id', 'o.id')
        .where({ 'o.user_id': userId, 'o.status': 'PENDING_PAYMENT' })
        .select(trx.raw('count(distinct o.id)::int as orders'), trx.raw('coalesce(sum(i.quantity), 0)::int as units'));
      return { pendingOrders: row?.orders ?? 0, reservedUnits: row?.units ?? 0 };
    },

    async findWithItems(orderId: string): Promise<OrderWithItems | undefined> {
      const order = await this.find(orderId);
      if (!order) return undefined;
      const items = await db('order_items').where({ order_id: orderId }).orderBy('product_name').orderBy('option_name');
      return {
        ...order,
        items: items.map((r) => ({
          optionId: r.option_id,
          productId: r.product_id,
          productName: r.product_name,
          optionName: r.option_name,
          unitPrice: r.unit_price,
          quantity: r.quantity,
          lineAmount: r.line_amount,
        })),
      };
    },

    async insert(trx: Knex.Transaction, order: NewOrder, lines: OrderLine[]): Promise<Order> {
      const [row] = await trx('orders')
        .insert({
          id: order.id,
          user_id: order.userId,
          idempotency_key: order.idempotencyKey,
          request_hash: order.requestHash,
          workflow_id: order.workflowId,
          status: 'PENDING_PAYMENT',
          total_amount: order.totalAmount,
          discount_amount: order.discountAmount,
          final_amount: order.finalAmount,
          user_coupon_id: order.userCouponId,
          reservation_expires_at: order.reservationExpiresAt,
        })
        .returning('*');
      await trx('order_items').insert(
        lines.map((l) => ({
          order_id: order.id,
          option_id: l.optionId,
          product_id: l.productId,
          product_name: l.productName,
          option_name: l.optionName,
          unit_price: l.unitPrice,
          quantity: l.quantity,
          line_amount: l.unitPrice * l.quantity,
        })),
      );
      return toOrder(row);
    },

    async update(
      trx: Knex,
      orderId: string,
      changes: Partial<Pick<Order, 'status' | 'paymentKey' | 'paidAt' | 'failureReason' | 'sagaWorkflowId' | 'paymentRequestKey' | 'sagaOutcome'>>,
    ): Promise<Order> {
      const [row] = await trx('orders')
        .where({ id: orderId })
        .update({
          status: changes.status,
          payment_key: changes.paymentKey,
          paid_at: changes.paidAt,
          failure_reason: changes.failureReason,
          saga_workflow_id: changes.sagaWorkflowId,
          payment_request_key: changes.paymentRequestKey,
          saga_outcome: changes.sagaOutcome === undefined ? undefined : JSON.stringify(changes.sagaOutcome),
          updated_at: trx.fn.now(),
        })
        .returning('*');
      return toOrder(row);
    },

    async setNeedsAttention(orderId: string, value: boolean): Promise<void> {
      await db('orders').where({ id: orderId }).update({ needs_attention: value, updated_at: db.fn.now() });
    },

    /** How many orders carry the attention flag right now (an index-only count: orders_by_attention). */
    async countNeedingAttention(): Promise<number> {
      const [{ count }] = await db('orders').where('needs_attention', true).count<{ count: string }[]>({ count: '*' });
      return Number(count);
    },

    /** The status of each order among `orderIds` that exists. */
    async statusesOf(orderIds: string[]): Promise<Map<string, OrderStatus>> {
      const statuses = new Map<string, OrderStatus>();
      for (let i = 0; i < orderIds.length; i += 1000) {
        const rows = await db('orders').whereIn('id', orderIds.slice(i, i + 1000)).select('id', 'status');
        for (const r of rows) statuses.set(r.id, r.status);
      }
      return statuses;
    },

    /** The orders paid in [from, to): what a reconciliation checks against the gateway. */
    async paidBetween(from: Date, to: Date): Promise<Pick<Order, 'id' | 'paymentKey' | 'finalAmount'>[]> {
      const rows = await db('orders').where('paid_at', '>=', from).andWhere('paid_at', '<', to).select('id', 'payment_key', 'final_amount');
      return rows.map((r) => ({ id: r.id, paymentKey: r.payment_key, finalAmount: r.final_amount }));
    },

    /**
     * Orders still waiting for payment although their reservation ended before `expiredBefore`:
     * their workflow should have closed them, so each is a candidate orphan (oldest first).
     */
    async pendingExpiredBefore(expiredBefore: Date, limit: number): Promise<Order[]> {
      const rows = await db('orders').where({ status: 'PENDING_PAYMENT' }).andWhere('reservation_expires_at', '<', expiredBefore).orderBy('reservation_expires_at').limit(limit);
      return rows.map(toOrder);
    },

    /** Every customer's orders for ops, newest first, optionally by status and attention. */
    async listAll(filter: { status?: OrderStatus; needsAttention?: boolean; page: number; limit: number }): Promise<{ orders: Order[]; total: number }> {
      const where = (q: Knex.QueryBuilder) => {
        if (filter.status) q.where('status', filter.status);
        if (filter.needsAttention !== undefined) q.where('needs_attention', filter.needsAttention);
      };
      const [{ count }] = await db('orders').modify(where).count<{ count: string }[]>({ count: '*' });
      const rows = await db('orders')
        .modify(where)
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(filter.limit)
        .offset((filter.page - 1) * filter.limit);
      return { orders: rows.map(toOrder), total: Number(count) };
    },

    /** A customer's orders, newest first (id breaks ties so pages never overlap). */
    async listForUser(userId: string, page: { page: number; limit: number }): Promise<{ orders: Order[]; total: number }> {
      const [{ count }] = await db('orders').where({ user_id: userId }).count<{ count: string }[]>({ count: '*' });
      const rows = await db('orders')
        .where({ user_id: userId })
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(page.limit)
        .offset((page.page - 1) * page.limit);
      return { orders: rows.map(toOrder), total: Number(count) };
    },
  };
}

export type OrderRepository = ReturnType<typeof createOrderRepository>;
