import knex, { type Knex } from 'knex';
import { createPaymentGatewayClient, PaymentGatewayError, type PaymentGateway } from '../../src/gateway/paymentGateway';
import { testEnvironment } from '../support/environment';

/**
 * What the gateway tests share: the client pointed at globalSetup's simulator process,
 * and a read-only look at the simulator's own schema to assert the money that moved.
 */
export interface GatewayKit {
  url: string;
  gateway: PaymentGateway;
  db: Knex;
  /** Ledger rows of one order, oldest first. */
  entries(orderId: string): Promise<{ paymentKey: string; kind: string; amount: number }[]>;
  /** Charges minus refunds of one order. */
  net(orderId: string): Promise<number>;
  close(): Promise<void>;
}

export function gatewayKit(): GatewayKit {
  const { databaseUrl, paymentGatewayUrl } = testEnvironment();
  const db = knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: 2 } });
  const entries = async (orderId: string) => {
    const rows = await db('payment_gateway.ledger_entries').where({ order_id: orderId }).orderBy('id');
    return rows.map((r) => ({ paymentKey: r.payment_key, kind: r.kind, amount: Number(r.amount) }));
  };
  return {
    url: paymentGatewayUrl,
    gateway: createPaymentGatewayClient({ baseUrl: paymentGatewayUrl, timeoutMs: 10_000 }),
    db,
    entries,
    net: async (orderId) => (await entries(orderId)).reduce((sum, e) => sum + (e.kind === 'CHARGE' ? e.amount : -e.amount), 0),
    close: () => db.destroy(),
  };
}

/** The PaymentGatewayError a call failed with (fails the test if it did not fail). */
export async function gatewayError(call: Promise<unknown>): Promise<PaymentGatewayError> {
  const error = await call.then(
    (value) => new Error(`expected a PaymentGatewayError, got ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  if (!(error instanceof PaymentGatewayError)) throw error;
  return error;
}

/** The fields of a PaymentGatewayError that callers act on. */
export const errorFields = (error: PaymentGatewayError) => ({
  status: error.status,
  code: error.code,
  retryable: error.retryable,
});

export const tally = (outcomes: string[]) =>
  outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
