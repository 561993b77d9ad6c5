import type { Logger } from '../logging/logger';
import type { SimulatorAnswer } from '../simulatorKit/answers';
import type { FaultSwitch } from './faults';
import type { Delivery, OrderRecords } from './records';
import { DataPlatformHttpError, receiptView } from './responses';

/** What the data platform does with a delivered order, once the request is parsed. */
export function createOrderIntake(deps: { records: OrderRecords; faults: FaultSwitch }) {
  return {
    async receive(delivery: Delivery, log: Logger): Promise<SimulatorAnswer> {
      const { orderId, idempotencyKey } = delivery;
      const context = { orderId, idempotencyKey };
      const result = await deps.records.record(delivery);
      switch (result.outcome) {
        case 'keyReused':
          log.info(context, 'order refused: IDEMPOTENCY_KEY_REUSED');
          throw new DataPlatformHttpError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different payload');
        case 'orderAlreadyRecorded':
          log.info(context, 'order refused: ORDER_ALREADY_RECORDED');
          throw new DataPlatformHttpError('ORDER_ALREADY_RECORDED', `order ${orderId} is already recorded under another Idempotency-Key`, { orderId });
        case 'duplicate':
          log.debug({ ...context, receipts: result.record.receipts }, 'duplicate delivery: answered with the first receipt');
          return { response: { status: 200, body: receiptView(result.record, true) }, replayed: true, dropConnection: false };
        case 'recorded': {
          log.info({ ...context, schemaVersion: delivery.schemaVersion }, 'order recorded');
          // Only a new record is dropped: its retry, a duplicate, is answered, as after a real crash.
          const dropConnection = Math.random() < deps.faults.current().dropAfterRecordRate;
          if (dropConnection) log.info(context, 'fault: order recorded and committed, dropping the connection unanswered');
          return { response: { status: 201, body: receiptView(result.record, false) }, replayed: false, dropConnection };
        }
      }
    },
  };
}

export type OrderIntake = ReturnType<typeof createOrderIntake>;
