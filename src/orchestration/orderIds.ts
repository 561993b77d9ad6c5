import { createHash } from 'node:crypto';

/**
 * The order id of an order workflow, derived from its workflow id (a UUIDv8 from a
 * SHA-256 name hash). Every request under one (customer, key) names the same order, so
 * even a second workflow run for that key can only find, never duplicate, the order and
 * its stock reservation (both keyed by this id).
 */
export function orderIdFor(workflowId: string): string {
  const bytes = createHash('sha256').update(`order-platform/order/${workflowId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
