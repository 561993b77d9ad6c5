import { SimulatorHttpError, type SimulatorErrors } from '../simulatorKit/httpError';
import type { OrderRecord } from './records';

/** The data platform's error codes and the one table from code to HTTP status. */
export const dataPlatformStatusOf = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  ORDER_NOT_FOUND: 404,
  ORDER_ALREADY_RECORDED: 409,
  PAYLOAD_TOO_LARGE: 413,
  IDEMPOTENCY_KEY_REUSED: 422,
  DATA_PLATFORM_ERROR: 500,
  DATA_PLATFORM_UNAVAILABLE: 503,
} as const;

export type DataPlatformErrorCode = keyof typeof dataPlatformStatusOf;

export class DataPlatformHttpError extends SimulatorHttpError<DataPlatformErrorCode> {
  protected readonly statusOf = dataPlatformStatusOf;
}

export const dataPlatformErrors: SimulatorErrors<DataPlatformErrorCode> = {
  HttpError: DataPlatformHttpError,
  codes: { validationFailed: 'VALIDATION_FAILED', notFound: 'NOT_FOUND', payloadTooLarge: 'PAYLOAD_TOO_LARGE', unexpected: 'DATA_PLATFORM_ERROR' },
  unexpectedMessage: 'an unexpected error occurred in the data platform simulator; it has been logged',
};

/** The answer to a delivery: when the order was first received, and whether this one repeated it. */
export const receiptView = (record: OrderRecord, duplicate: boolean) => ({
  orderId: record.orderId,
  receivedAt: record.firstReceivedAt.toISOString(),
  duplicate,
});

/** A record as the queries show it. */
export const recordView = (record: OrderRecord) => ({
  orderId: record.orderId,
  schemaVersion: record.schemaVersion,
  payload: record.payload,
  idempotencyKey: record.idempotencyKey,
  firstReceivedAt: record.firstReceivedAt.toISOString(),
  lastReceivedAt: record.lastReceivedAt.toISOString(),
  receipts: record.receipts,
});
