import { randomUUID } from 'node:crypto';
import { createOrderPlatformClient } from './client';

/** What a failed call answered, for an error that says which step failed and why. */
const failed = (step: string, response: Response, error: unknown) => new Error(`${step}: ${response.status} ${JSON.stringify(error)}`);

/**
 * A customer's whole checkout through the generated client: sign up, sign in, look at a
 * product, place an order for one unit of its first option, pay for it and read the
 * order back. Every call's path, body and answer are typed from the API description.
 */
export async function checkoutWithGeneratedClient(baseUrl: string, input: { productId: string; cardToken: string }) {
  const anonymous = createOrderPlatformClient(baseUrl);
  const email = `client-${randomUUID()}@example.test`;
  const password = 'a generated-client password';
  const signUp = await anonymous.POST('/api/v1/auth/signup', { body: { email, password, name: 'Generated client' } });
  if (!signUp.data) throw failed('signUp', signUp.response, signUp.error);
  const logIn = await anonymous.POST('/api/v1/auth/login', { body: { email, password } });
  if (!logIn.data) throw failed('logIn', logIn.response, logIn.error);

  const customer = createOrderPlatformClient(baseUrl, logIn.data.accessToken);
  const product = await customer.GET('/api/v1/products/{id}', { params: { path: { id: input.productId } } });
  if (!product.data) throw failed('getProduct', product.response, product.error);
  const option = product.data.options[0];

  const placed = await customer.POST('/api/v1/orders', {
    params: { header: { 'idempotency-key': randomUUID() } },
    body: { items: [{ productOptionId: option.id, quantity: 1 }] },
  });
  if (!placed.data) throw failed('placeOrder', placed.response, placed.error);
  const paid = await customer.POST('/api/v1/orders/{id}/payment', {
    params: { path: { id: placed.data.orderId }, header: { 'idempotency-key': randomUUID() } },
    body: { cardToken: input.cardToken },
  });
  if (!paid.data) throw failed('payOrder', paid.response, paid.error);
  const order = await customer.GET('/api/v1/orders/{id}', { params: { path: { id: placed.data.orderId } } });
  if (!order.data) throw failed('getOrder', order.response, order.error);
  return { userId: signUp.data.userId, optionId: option.id, payment: paid.data, order: order.data };
}
