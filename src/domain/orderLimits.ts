import type { Refusal } from './errors';

/**
 * How much one customer may take at once, so that one account cannot hold a sale's whole
 * stock: units per order line, lines per order, and, across the customer's orders still
 * waiting for payment, how many there are and how many units they hold. 0 means no limit.
 */
export interface OrderLimits {
  maxUnitsPerLine: number;
  maxLines: number;
  maxPendingOrders: number;
  maxReservedUnits: number;
}

export const NO_ORDER_LIMITS: OrderLimits = { maxUnitsPerLine: 0, maxLines: 0, maxPendingOrders: 0, maxReservedUnits: 0 };

const over = (limit: number, value: number) => limit > 0 && value > limit;

/** Whether the order itself is too big (its lines merged by option): a 422, whatever else the customer holds. */
export function orderShapeRefusal(lines: { optionId: string; quantity: number }[], limits: OrderLimits): Refusal | null {
  if (over(limits.maxLines, lines.length)) {
    return { code: 'ORDER_LIMIT_EXCEEDED', message: `an order may have at most ${limits.maxLines} lines`, details: { limit: 'maxLines', max: limits.maxLines, value: lines.length } };
  }
  const biggest = lines.reduce<{ optionId: string; quantity: number } | undefined>((top, line) => (!top || line.quantity > top.quantity ? line : top), undefined);
  if (biggest && over(limits.maxUnitsPerLine, biggest.quantity)) {
    return {
      code: 'ORDER_LIMIT_EXCEEDED',
      message: `an order line may hold at most ${limits.maxUnitsPerLine} units`,
      details: { limit: 'maxUnitsPerLine', max: limits.maxUnitsPerLine, value: biggest.quantity, optionId: biggest.optionId },
    };
  }
  return null;
}

/**
 * Whether placing `adding` more units would take the customer past what its unpaid
 * orders may hold: a 409, since paying or cancelling one of them makes room.
 */
export function holdingRefusal(holding: { pendingOrders: number; reservedUnits: number }, adding: number, limits: OrderLimits): Refusal | null {
  if (over(limits.maxPendingOrders, holding.pendingOrders + 1)) {
    return {
      code: 'CUSTOMER_HOLD_LIMIT',
      message: `you have ${holding.pendingOrders} orders waiting for payment, the most allowed: pay or cancel one first`,
      details: { limit: 'maxPendingOrders', max: limits.maxPendingOrders, value: holding.pendingOrders },
    };
  }
  if (over(limits.maxReservedUnits, holding.reservedUnits + adding)) {
    return {
      code: 'CUSTOMER_HOLD_LIMIT',
      message: `your unpaid orders would hold ${holding.reservedUnits + adding} units, more than ${limits.maxReservedUnits}: pay or cancel one first`,
      details: { limit: 'maxReservedUnits', max: limits.maxReservedUnits, value: holding.reservedUnits + adding },
    };
  }
  return null;
}

/** Whether the customer's holdings need counting at all (a lock and a read per placement). */
export const limitsHoldings = (limits: OrderLimits): boolean => limits.maxPendingOrders > 0 || limits.maxReservedUnits > 0;
