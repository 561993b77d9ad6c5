import { z } from 'zod';
import { describeNetworkError } from '../platform/networkErrors';

/**
 * The platform's only way to talk to the payment gateway: plain HTTP. A decline is a
 * result; anything else that is not a success is a PaymentGatewayError that says whether
 * repeating the same call (same idempotency key) can help. The client never retries on
 * its own: the Temporal activity that calls it does, with its own policy.
 */
export interface ChargeInput {
  /** The same key for every attempt of one charge; the gateway answers each key once. */
  idempotencyKey: string;
  orderId: string;
  /** In the smallest currency unit. */
  amount: number;
  cardToken: string;
}

export type ChargeResult =
  | { outcome: 'APPROVED'; paymentKey: string; approvedAt: string }
  | { outcome: 'DECLINED'; code: string; message: string };

export interface CancelInput {
  idempotencyKey: string;
  paymentKey: string;
  reason?: string;
}

export interface CancelResult {
  paymentKey: string;
  status: 'CANCELED';
  canceledAt: string;
}

export interface GatewayPayment {
  paymentKey: string;
  orderId: string;
  amount: number;
  status: 'DONE' | 'CANCELED';
  approvedAt: string;
  canceledAt: string | null;
}

export class PaymentGatewayError extends Error {
  /** The HTTP status, or null when no answer arrived (timeout, network). */
  readonly status: number | null;
  /** The gateway's error code, or TIMEOUT / NETWORK / INVALID_RESPONSE / HTTP_<status>. */
  readonly code: string;
  /** True when the outcome may differ on a retry with the same idempotency key. */
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(fields: { message: string; status: number | null; code: string; retryable: boolean; details?: unknown; cause?: unknown }) {
    super(fields.message, { cause: fields.cause });
    this.name = 'PaymentGatewayError';
    this.status = fields.status;
    this.code = fields.code;
    this.retryable = fields.retryable;
    this.details = fields.details ?? null;
  }
}

const approvedBody = z.object({ paymentKey: z.string(), approvedAt: z.string() });
const cancelBody = z.object({ paymentKey: z.string(), status: z.literal('CANCELED'), canceledAt: z.string() });
const paymentBody = z.object({
  paymentKey: z.string(),
  orderId: z.string(),
  amount: z.number(),
  status: z.enum(['DONE', 'CANCELED']),
  approvedAt: z.string(),
  canceledAt: z.string().nullable(),
});
const listBody = z.object({ payments: z.array(paymentBody) });
const pageBody = z.object({ payments: z.array(paymentBody), nextCursor: z.string().nullable() });
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });

/**
 * Worth repeating: no answer, a gateway fault (5xx), rate limiting, or the same key still
 * being processed. Not: a refused request (400, 404, 422 key reuse, 409 ALREADY_PAID).
 */
const isRetryableStatus = (status: number, code: string) =>
  status >= 500 || status === 429 || (status === 409 && code === 'REQUEST_IN_PROGRESS');

interface Answer {
  status: number;
  body: unknown;
}

export function createPaymentGatewayClient(options: { baseUrl: string; timeoutMs: number }) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function call(method: 'GET' | 'POST', path: string, request: { body?: unknown; idempotencyKey?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let status: number;
    let text: string;
    try {
      const response = await fetch(baseUrl + path, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      status = response.status;
      // Inside the try: a connection dropped while the body streams is a network error too.
      text = await response.text();
    } catch (error) {
      const timedOut = (error as Error)?.name === 'TimeoutError';
      const reason = timedOut ? `no answer within ${options.timeoutMs} ms` : describeNetworkError(error);
      throw new PaymentGatewayError({
        message: `payment gateway ${method} ${path}: ${reason}`,
        status: null,
        code: timedOut ? 'TIMEOUT' : 'NETWORK',
        retryable: true,
        cause: error,
      });
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status, body };
  }

  function failure(answer: Answer, what: string): PaymentGatewayError {
    const parsed = errorBody.safeParse(answer.body);
    const code = parsed.success ? parsed.data.error.code : `HTTP_${answer.status}`;
    const message = parsed.success ? parsed.data.error.message : 'no error body';
    return new PaymentGatewayError({
      message: `payment gateway ${what}: ${answer.status} ${code}: ${message}`,
      status: answer.status,
      code,
      retryable: isRetryableStatus(answer.status, code),
      details: parsed.success ? (parsed.data.error.details ?? null) : null,
    });
  }

  function expect<S extends z.ZodType>(schema: S, answer: Answer, what: string): z.output<S> {
    if (answer.status !== 200) throw failure(answer, what);
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    // The same key would replay the same answer: repeating cannot help.
    throw new PaymentGatewayError({
      message: `payment gateway ${what}: unexpected response body: ${z.prettifyError(parsed.error)}`,
      status: answer.status,
      code: 'INVALID_RESPONSE',
      retryable: false,
    });
  }

  return {
    async charge(input: ChargeInput): Promise<ChargeResult> {
      const { idempotencyKey, orderId, amount, cardToken } = input;
      const answer = await call('POST', '/v1/payments', { idempotencyKey, body: { orderId, amount, cardToken } });
      if (answer.status === 402) {
        const declined = errorBody.safeParse(answer.body);
        if (declined.success) return { outcome: 'DECLINED', code: declined.data.error.code, message: declined.data.error.message };
      }
      const approved = expect(approvedBody, answer, `charge of order ${orderId}`);
      return { outcome: 'APPROVED', paymentKey: approved.paymentKey, approvedAt: approved.approvedAt };
    },

    async cancel(input: CancelInput): Promise<CancelResult> {
      const path = `/v1/payments/${encodeURIComponent(input.paymentKey)}/cancel`;
      const answer = await call('POST', path, { idempotencyKey: input.idempotencyKey, body: { reason: input.reason } });
      return expect(cancelBody, answer, `cancel of payment ${input.paymentKey}`);
    },

    async listPayments(orderId: string): Promise<GatewayPayment[]> {
      const answer = await call('GET', `/v1/payments?${new URLSearchParams({ orderId })}`);
      return expect(listBody, answer, `payments of order ${orderId}`).payments;
    },

    /** One page of the payments approved in [from, to), oldest first; pass `nextCursor` back for the next. */
    async listApprovedPayments(window: { from: Date; to: Date; cursor?: string; limit?: number }): Promise<{ payments: GatewayPayment[]; nextCursor: string | null }> {
      const query = new URLSearchParams({ approvedFrom: window.from.toISOString(), approvedTo: window.to.toISOString() });
      if (window.cursor) query.set('cursor', window.cursor);
      if (window.limit) query.set('limit', String(window.limit));
      const answer = await call('GET', `/v1/payments?${query}`);
      return expect(pageBody, answer, `payments approved from ${window.from.toISOString()} to ${window.to.toISOString()}`);
    },
  };
}

export type PaymentGateway = ReturnType<typeof createPaymentGatewayClient>;

