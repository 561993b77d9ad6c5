import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/pgErrors';
import { contentHash } from '../simulatorKit/contentHash';
import { ONE_RECORD_PER_ORDER, TABLES } from './migrations';

export interface OrderRecord {
  idempotencyKey: string;
  orderId: string;
  schemaVersion: number;
  payload: unknown;
  firstReceivedAt: Date;
  lastReceivedAt: Date;
  /** Deliveries of it, duplicates included. */
  receipts: number;
}

export interface Delivery {
  idempotencyKey: string;
  orderId: string;
  schemaVersion: number;
  /** The whole body as it was sent. */
  payload: unknown;
}

export type RecordOutcome =
  | { outcome: 'recorded'; record: OrderRecord }
  | { outcome: 'duplicate'; record: OrderRecord }
  /** The key is recorded with a different payload. */
  | { outcome: 'keyReused' }
  /** The order is recorded under another key. */
  | { outcome: 'orderAlreadyRecorded' };

/** Where a page of the listing ends: the exact arrival time (microseconds, as text) and order id. */
export type PagePosition = [receivedAt: string, orderId: string];

/** first_received_at to the microsecond: a JS Date keeps milliseconds, so a cursor built from one could repeat rows. */
const EXACT_ARRIVAL = `to_char(first_received_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const toRecord = (r: Record<string, any>): OrderRecord => ({
  idempotencyKey: r.idempotency_key,
  orderId: r.order_id,
  schemaVersion: r.schema_version,
  payload: r.payload,
  firstReceivedAt: r.first_received_at,
  lastReceivedAt: r.last_received_at,
  receipts: r.receipts,
});

/** The data platform's order records, in its own schema. */
export function createOrderRecords(db: Knex) {
  return {
    /**
     * Records a delivery, or counts it as a duplicate of the record under its key. One
     * statement, so deliveries racing under one key cannot both insert or lose a count:
     * the first inserts, and each other one waits for it, then takes the update (only
     * when the payload is the same; a different payload updates nothing: keyReused). A
     * new key for a recorded order breaks the unique order_id, which no race gets past.
     * `receipts` tells the two apart: 1 only for the statement that inserted.
     */
    async record(delivery: Delivery): Promise<RecordOutcome> {
      try {
        const { rows } = await db.raw(
          `insert into ${TABLES.orderRecords} as r (idempotency_key, order_id, schema_version, payload, payload_hash)
           values (?, ?, ?, ?::jsonb, ?)
           on conflict (idempotency_key) do update
             set receipts = r.receipts + 1, last_received_at = now()
             where r.payload_hash = excluded.payload_hash
           returning *`,
          // Stringified: knex would send a top-level array as a Postgres array, not JSON.
          [delivery.idempotencyKey, delivery.orderId, delivery.schemaVersion, JSON.stringify(delivery.payload), contentHash(delivery.payload)],
        );
        if (rows.length === 0) return { outcome: 'keyReused' };
        const record = toRecord(rows[0]);
        return { outcome: record.receipts === 1 ? 'recorded' : 'duplicate', record };
      } catch (error) {
        if (isUniqueViolation(error, ONE_RECORD_PER_ORDER)) return { outcome: 'orderAlreadyRecorded' };
        throw error;
      }
    },

    async find(orderId: string): Promise<OrderRecord | undefined> {
      const row = await db(TABLES.orderRecords).where({ order_id: orderId }).first();
      return row ? toRecord(row) : undefined;
    },

    /** The records of these orders, in the order asked, each once; unknown ones are left out. */
    async findMany(orderIds: string[]): Promise<OrderRecord[]> {
      const rows = await db(TABLES.orderRecords).whereIn('order_id', orderIds);
      const byOrder = new Map(rows.map((r) => [r.order_id as string, toRecord(r)]));
      return [...new Set(orderIds)].flatMap((id) => byOrder.get(id) ?? []);
    },

    /** Records in arrival order (then order id), `limit` at a time, starting after `after`. */
    async page(options: { after?: PagePosition; limit: number }): Promise<{ records: OrderRecord[]; next: PagePosition | null }> {
      const query = db(TABLES.orderRecords).select('*', db.raw(`${EXACT_ARRIVAL} as position_at`));
      if (options.after) query.whereRaw('(first_received_at, order_id) > (?::timestamptz, ?)', options.after);
      // One more than asked: whether it exists says whether there is a next page.
      const rows = await query.orderBy([{ column: 'first_received_at' }, { column: 'order_id' }]).limit(options.limit + 1);
      const page = rows.slice(0, options.limit);
      const last = page[page.length - 1];
      return { records: page.map(toRecord), next: rows.length > options.limit ? [last.position_at, last.order_id] : null };
    },

    async stats(): Promise<{ records: number; receipts: number }> {
      const row = await db(TABLES.orderRecords).select(db.raw('count(*)::bigint as records, coalesce(sum(receipts), 0)::bigint as receipts')).first();
      // bigint arrives as a string; these counts stay far below 2^53.
      return { records: Number(row.records), receipts: Number(row.receipts) };
    },
  };
}

export type OrderRecords = ReturnType<typeof createOrderRecords>;
