/**
 * Test card tokens, as real gateways offer in their sandboxes: the token a charge names
 * decides how the simulator behaves. Any token approves unless it names a fault, so
 * ordinary tokens (`tok_visa`, a random string) are plain approvals.
 */
export type CardBehaviour =
  /** Approve after `delayMs`; the first `refundFailures` cancels of the payment fail. */
  | { kind: 'approve'; delayMs: number; refundFailures: number }
  /** 402 CARD_DECLINED: an answer, stored under the key; nothing charged. */
  | { kind: 'decline' }
  /** 500 GATEWAY_ERROR every time; nothing charged. */
  | { kind: 'error' }
  /** Hold the request, then 504 GATEWAY_TIMEOUT; nothing charged. */
  | { kind: 'timeout' }
  /** Charge and store the answer, then drop the connection without answering. */
  | { kind: 'drop' };

export const MAX_SLOW_MS = 60_000;
/** Keeps the count inside an int column; nobody needs more failed refunds than this. */
export const MAX_REFUND_FAILURES = 1000;

const SLOW = /^tok_slow_(\d{1,9})$/;
const REFUND_ERROR = /^tok_refund_error_(\d{1,9})$/;

const approve = (delayMs = 0, refundFailures = 0): CardBehaviour => ({ kind: 'approve', delayMs, refundFailures });

export function behaviourOf(cardToken: string): CardBehaviour {
  switch (cardToken) {
    case 'tok_decline':
      return { kind: 'decline' };
    case 'tok_error':
      return { kind: 'error' };
    case 'tok_timeout':
      return { kind: 'timeout' };
    case 'tok_drop':
      return { kind: 'drop' };
  }
  const slow = SLOW.exec(cardToken);
  if (slow) return approve(Math.min(Number(slow[1]), MAX_SLOW_MS));
  const refundError = REFUND_ERROR.exec(cardToken);
  if (refundError) return approve(0, Math.min(Number(refundError[1]), MAX_REFUND_FAILURES));
  return approve();
}
