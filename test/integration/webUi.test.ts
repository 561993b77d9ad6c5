import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { Browser } from 'playwright-core';
import { completeOrderWorkflowId } from '../../src/contracts/workflowIds';
import { launchChromium } from '../support/chromium';
import { signUpCustomer } from '../support/factories';
import { productWithStock } from '../support/catalog';
import { testEnvironment } from '../support/environment';
import { eventually, orderRow, payOrder, placeOrder } from '../support/orders';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * What ops do in the Temporal Web UI, in a real browser (Debian's chromium, driven by
 * playwright-core; nothing is downloaded): filter `NeedsAttention = true`, see the stuck
 * saga, open it and see the failing compensation activity. With SAVE_UI_SCREENSHOTS=1
 * (`npm run screenshots:ui`) the screenshots are written to docs/images for the README;
 * otherwise to the test run's temporary folder.
 */
describe('the Temporal Web UI, as ops use it', () => {
  let stack: TestStack;
  let browser: Browser;
  const env = testEnvironment();
  const screenshots = process.env.SAVE_UI_SCREENSHOTS === '1' ? path.join(__dirname, '../../docs/images') : env.workDir;

  beforeAll(async () => {
    stack = await startTestStack({
      resultTimeoutMs: 5_000,
      activityOverrides: {
        confirmStock: async () => {
          throw ApplicationFailure.create({ type: 'INJECTED_FAILURE', message: 'confirm failed (Web UI test)', nonRetryable: true });
        },
      },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('finds the saga that needs attention and shows its failing compensation', async () => {
    if (!env.temporalUiUrl) throw new Error('no Temporal Web UI: with TEST_TEMPORAL_ADDRESS, set TEST_TEMPORAL_UI_URL too');
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [2]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    const orderId: string = placed.body.orderId;
    const sagaWorkflowId = completeOrderWorkflowId(orderId, 1);
    const paying = payOrder(stack, customer, orderId, 'tok_refund_error_1000');
    await eventually(async () => ((await orderRow(stack.db, orderId)).needs_attention ? true : undefined), 60_000, 'attention');
    expect((await paying).status).toBe(503);

    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const query = encodeURIComponent('NeedsAttention = true');
    // Visibility is eventually consistent: reload until the list shows the saga.
    await eventually(async () => {
      await page.goto(`${env.temporalUiUrl}/namespaces/${env.namespace}/workflows?query=${query}`);
      try {
        await page.getByText(sagaWorkflowId).first().waitFor({ timeout: 5_000 });
        return true;
      } catch {
        return undefined;
      }
    }, 60_000, 'the saga in the filtered list');
    await page.screenshot({ path: path.join(screenshots, 'web-ui-needs-attention.png') });

    await page.getByRole('link', { name: sagaWorkflowId }).first().click();
    await page.waitForURL(/\/workflows\/complete-order/);
    await page.getByText('refundPayments').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(screenshots, 'web-ui-failing-compensation.png'), fullPage: true });
    expect(await page.getByText('refundPayments').count()).toBeGreaterThan(0);
    await page.close();
  });
});
