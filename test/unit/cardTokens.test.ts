import { behaviourOf, MAX_REFUND_FAILURES, MAX_SLOW_MS } from '../../src/paymentGatewaySimulator/cardTokens';

describe('card tokens', () => {
  it('approves any token that names no fault', () => {
    for (const token of ['tok_visa', 'tok_mastercard', 'anything', 'tok_declined', 'TOK_DECLINE', 'tok_error_']) {
      expect(behaviourOf(token)).toEqual({ kind: 'approve', delayMs: 0, refundFailures: 0 });
    }
  });

  it('names each fault with its exact token', () => {
    expect(behaviourOf('tok_decline')).toEqual({ kind: 'decline' });
    expect(behaviourOf('tok_error')).toEqual({ kind: 'error' });
    expect(behaviourOf('tok_timeout')).toEqual({ kind: 'timeout' });
    expect(behaviourOf('tok_drop')).toEqual({ kind: 'drop' });
  });

  it('reads the delay of a slow approval, capped', () => {
    expect(behaviourOf('tok_slow_500')).toEqual({ kind: 'approve', delayMs: 500, refundFailures: 0 });
    expect(behaviourOf('tok_slow_0')).toEqual({ kind: 'approve', delayMs: 0, refundFailures: 0 });
    expect(behaviourOf('tok_slow_999999999')).toEqual({ kind: 'approve', delayMs: MAX_SLOW_MS, refundFailures: 0 });
  });

  it('reads how many refunds fail before one succeeds, capped', () => {
    expect(behaviourOf('tok_refund_error_3')).toEqual({ kind: 'approve', delayMs: 0, refundFailures: 3 });
    expect(behaviourOf('tok_refund_error_999999')).toEqual({
      kind: 'approve',
      delayMs: 0,
      refundFailures: MAX_REFUND_FAILURES,
    });
  });

  it('treats a malformed number as an ordinary token', () => {
    for (const token of ['tok_slow_', 'tok_slow_abc', 'tok_slow_-5', 'tok_slow_1.5', 'tok_refund_error_x', 'tok_slow_1234567890']) {
      expect(behaviourOf(token)).toEqual({ kind: 'approve', delayMs: 0, refundFailures: 0 });
    }
  });
});
