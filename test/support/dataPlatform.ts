import { testEnvironment } from './environment';

/** What the data platform simulator holds for one order (GET /v1/orders?orderIds=...). */
export interface DataPlatformRecord {
  orderId: string;
  schemaVersion: number;
  payload: Record<string, any>;
  idempotencyKey: string;
  receipts: number;
}

/** The records the data platform at `baseUrl` holds for these orders (only those it has). */
export async function dataPlatformRecords(orderIds: string[], baseUrl = testEnvironment().dataPlatformUrl): Promise<DataPlatformRecord[]> {
  const records: DataPlatformRecord[] = [];
  for (let i = 0; i < orderIds.length; i += 500) {
    const response = await fetch(`${baseUrl}/v1/orders?${new URLSearchParams({ orderIds: orderIds.slice(i, i + 500).join(',') })}`);
    if (!response.ok) throw new Error(`the data platform answered ${response.status}: ${await response.text()}`);
    records.push(...((await response.json()) as { orders: DataPlatformRecord[] }).orders);
  }
  return records;
}
