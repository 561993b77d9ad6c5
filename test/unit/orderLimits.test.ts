import fc from 'fast-check';
import { holdingRefusal, NO_ORDER_LIMITS, orderShapeRefusal, type OrderLimits } from '../../src/domain/orderLimits';

const limitsArb = fc.record<OrderLimits>({
  maxUnitsPerLine: fc.nat(20),
  maxLines: fc.nat(10),
  maxPendingOrders: fc.nat(10),
  maxReservedUnits: fc.nat(50),
});
const linesArb = fc.array(fc.record({ optionId: fc.uuid(), quantity: fc.integer({ min: 1, max: 30 }) }), { minLength: 1, maxLength: 15 });
const within = (limit: number, value: number) => limit === 0 || value <= limit;

describe('order limits', () => {
  it('refuses an order exactly when it has too many lines or a line too many units (0: no limit)', () => {
    fc.assert(
      fc.property(linesArb, limitsArb, (lines, limits) => {
        const allowed = within(limits.maxLines, lines.length) && lines.every((l) => within(limits.maxUnitsPerLine, l.quantity));
        const refusal = orderShapeRefusal(lines, limits);
        expect(refusal === null).toBe(allowed);
        if (refusal) expect(refusal.code).toBe('ORDER_LIMIT_EXCEEDED');
      }),
    );
  });

  it('refuses a placement exactly when it would take the customer past its unpaid orders or units', () => {
    fc.assert(
      fc.property(fc.nat(12), fc.nat(60), fc.integer({ min: 1, max: 30 }), limitsArb, (pendingOrders, reservedUnits, adding, limits) => {
        const allowed = within(limits.maxPendingOrders, pendingOrders + 1) && within(limits.maxReservedUnits, reservedUnits + adding);
        const refusal = holdingRefusal({ pendingOrders, reservedUnits }, adding, limits);
        expect(refusal === null).toBe(allowed);
        if (refusal) expect(refusal.code).toBe('CUSTOMER_HOLD_LIMIT');
      }),
    );
  });

  it('has no limit at all when none is set', () => {
    expect(orderShapeRefusal([{ optionId: 'x', quantity: 1_000_000 }], NO_ORDER_LIMITS)).toBeNull();
    expect(holdingRefusal({ pendingOrders: 1000, reservedUnits: 1_000_000 }, 1000, NO_ORDER_LIMITS)).toBeNull();
  });
});
