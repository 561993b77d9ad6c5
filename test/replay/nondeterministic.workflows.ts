// A deliberately non-deterministic change to placeOrder, for the test that proves the
// replay guard catches one: it sleeps before doing anything, so its first command (a
// timer) no longer matches the recorded first command (the findOrder local activity).
import { sleep } from '@temporalio/workflow';
import type { PlaceOrderInput, PlacementOutcome } from '../../src/contracts/orders';
import { placeOrder as recordedPlaceOrder } from '../../src/workflows/placeOrder';

export { completeOrder } from '../../src/workflows/completeOrder';

export async function placeOrder(input: PlaceOrderInput): Promise<PlacementOutcome> {
  await sleep('1 second');
  return recordedPlaceOrder(input);
}
