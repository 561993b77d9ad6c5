import { proxyActivities } from '@temporalio/workflow';
import type { StockActivities } from '../../src/activities/stock';
import type { ReserveStockInput, StockMoveResult } from '../../src/contracts/stock';
import { stockActivityOptions } from '../../src/workflows/activityOptions';
import { unwrapBusinessFailure } from '../../src/workflows/refusals';

/**
 * Test-only workflows that drive the stock activities through Temporal with the options
 * the order workflow will use, until that workflow exists. Not part of the worker's bundle.
 */
const stock = proxyActivities<StockActivities>(stockActivityOptions);

export async function reserveStockProbe(input: ReserveStockInput): Promise<StockMoveResult> {
  try {
    return await stock.reserveStock(input);
  } catch (error) {
    throw unwrapBusinessFailure(error);
  }
}

export async function settleStockProbe(orderId: string, action: 'confirm' | 'release'): Promise<StockMoveResult> {
  try {
    return await (action === 'confirm' ? stock.confirmStock(orderId) : stock.releaseStock(orderId));
  } catch (error) {
    throw unwrapBusinessFailure(error);
  }
}
