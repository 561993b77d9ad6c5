import type { Http } from './http';

/** Live charges the gateway holds for one order (DONE payments; a refunded one is CANCELED). */
export async function liveCharges(gateway: Http, orderId: string): Promise<number> {
  const payments = await gateway.call('GET', `/v1/payments?orderId=${orderId}`);
  return (payments.body.payments as { status: string }[]).filter((p) => p.status === 'DONE').length;
}
