import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { sendAnswer } from '../simulatorKit/answers';
import { readPageCursor, writePageCursor } from '../simulatorKit/pageCursor';
import { text } from '../simulatorKit/schemas';
import type { OrderIntake } from './intake';
import { unstorablePart } from './payload';
import type { OrderRecords, PagePosition } from './records';
import { idempotencyKeyOf, parse } from './requests';
import { DataPlatformHttpError, recordView } from './responses';

const orderId = text(1, 200);

/** The delivered order: these two fields are read, the rest is kept as it came. */
const orderBody = z
  .looseObject({ schemaVersion: z.int().min(1), orderId })
  .superRefine((body, ctx) => {
    const problem = unstorablePart(body);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });
const orderParams = z.object({ orderId });
const idsQuery = z.object({
  orderIds: z
    .string()
    .transform((ids) => ids.split(','))
    .pipe(z.array(orderId).min(1).max(500)),
});
const pageQuery = z.object({
  // Room for a cursor of a 200-character order id in any script.
  cursor: text(1, 2000).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** An arrival time as records.page writes it: UTC, to the microsecond, and a real date. */
const exactTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
  .refine((t) => !Number.isNaN(Date.parse(t)) && new Date(t).toISOString().slice(0, 23) === t.slice(0, 23));
const cursorPosition = z.tuple([exactTime, orderId]);

function readCursor(cursor: string): PagePosition {
  const position = readPageCursor(cursor, cursorPosition);
  if (position) return position;
  const issue = { in: 'query', path: 'cursor', message: 'not a cursor this data platform gave out' };
  throw new DataPlatformHttpError('VALIDATION_FAILED', `invalid request query: cursor: ${issue.message}`, { issues: [issue] });
}

/** POST /v1/orders (behind the faults) and the queries over what was recorded. */
export function orderRoutes(deps: { intake: OrderIntake; records: OrderRecords; faults: RequestHandler }): Router {
  const v1 = Router();

  v1.post('/orders', deps.faults, async (req, res) => {
    const idempotencyKey = idempotencyKeyOf(req);
    const { orderId: id, schemaVersion } = parse(orderBody, req.body, 'body');
    sendAnswer(req, res, await deps.intake.receive({ idempotencyKey, orderId: id, schemaVersion, payload: req.body }, req.log));
  });

  v1.get('/orders/:orderId', async (req, res) => {
    const { orderId: id } = parse(orderParams, req.params, 'params');
    const record = await deps.records.find(id);
    if (!record) throw new DataPlatformHttpError('ORDER_NOT_FOUND', `no record of order ${id}`);
    res.json(recordView(record));
  });

  v1.get('/orders', async (req, res) => {
    if (req.query.orderIds !== undefined) {
      const { orderIds } = parse(idsQuery, req.query, 'query');
      res.json({ orders: (await deps.records.findMany(orderIds)).map(recordView) });
      return;
    }
    const { cursor, limit } = parse(pageQuery, req.query, 'query');
    const page = await deps.records.page({ after: cursor === undefined ? undefined : readCursor(cursor), limit });
    res.json({ orders: page.records.map(recordView), nextCursor: page.next ? writePageCursor(page.next) : null });
  });

  v1.get('/stats', async (_req, res) => {
    res.json(await deps.records.stats());
  });

  return v1;
}
