import type { CompletedOrderRecord } from '../contracts/orderDelivery';
import { describeNetworkError } from '../platform/networkErrors';

/**
 * The platform's only way to hand orders to the data platform: plain HTTP, one order per
 * request under an idempotency key of its own, so a repeat after a lost answer is
 * recorded once (docs/data-platform.md). It never retries on its own: the delivery
 * drain does, with its backoff.
 */
export type DeliveryOutcome =
  | { delivered: true; duplicate: boolean }
  /** `refused`: the data platform answered and said no (4xx); otherwise it was away (no answer, 5xx, 408, 429). */
  | { delivered: false; error: string; refused: boolean };

const isRefusal = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

/** One key per order, for every attempt and every replay of its delivery. */
export const deliveryKeyOf = (orderId: string): string => `order-completed:${orderId}`;

export function createDataPlatformClient(options: { baseUrl: string; timeoutMs: number }) {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  return {
    /** The longest one delivery request may take. */
    timeoutMs: options.timeoutMs,

    /** Never throws: every failure (no answer, a fault, a refusal) comes back as its reason. */
    async deliverCompletedOrder(record: CompletedOrderRecord, signal?: AbortSignal): Promise<DeliveryOutcome> {
      try {
        const response = await fetch(`${baseUrl}/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': deliveryKeyOf(record.orderId) },
          body: JSON.stringify(record),
          signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]) : AbortSignal.timeout(options.timeoutMs),
        });
        const text = await response.text();
        if (response.status === 200 || response.status === 201) return { delivered: true, duplicate: response.status === 200 };
        return { delivered: false, error: `data platform answered ${response.status}: ${text.slice(0, 500)}`, refused: isRefusal(response.status) };
      } catch (error) {
        const timedOut = (error as Error)?.name === 'TimeoutError';
        const reason = timedOut ? `no answer from the data platform within ${options.timeoutMs} ms` : `data platform unreachable: ${describeNetworkError(error)}`;
        return { delivered: false, error: reason, refused: false };
      }
    },
  };
}

export type DataPlatform = ReturnType<typeof createDataPlatformClient>;
