import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkoutWithGeneratedClient } from '../../clients/typescript/checkout';
import { productWithStock, stockOf } from '../support/catalog';
import { useTestStack } from '../support/stack';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

/**
 * The API description as a product: lint-clean under Spectral's OpenAPI ruleset, the
 * committed generated client up to date with it, and that client running a checkout
 * against the real stack.
 */
describe('the OpenAPI description and the client generated from it', () => {
  const stack = useTestStack();
  let folder: string;
  let documentPath: string;

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-openapi-'));
    documentPath = path.join(folder, 'openapi.json');
    const served = await fetch(`${stack.baseUrl}/api/openapi.json`);
    expect(served.status).toBe(200);
    await fs.writeFile(documentPath, await served.text());
  });
  afterAll(() => fs.rm(folder, { recursive: true, force: true }));

  it("has no error and no warning under Spectral's spectral:oas ruleset (the repo's .spectral.yaml)", async () => {
    // Warnings and hints fail the lint too; a failure prints each finding.
    const linted = await run(bin('spectral'), ['lint', '--ruleset', path.join(repoRoot, '.spectral.yaml'), '--fail-severity', 'hint', documentPath], { cwd: repoRoot }).then(
      ({ stdout }) => ({ exitCode: 0, stdout }),
      (failure: { code: number; stdout: string }) => ({ exitCode: failure.code, stdout: failure.stdout }),
    );
    expect(linted).toEqual({ exitCode: 0, stdout: expect.stringContaining("No results with a severity of 'hint' or higher found!") });
  });

  it('matches the committed client types (clients/typescript/schema.d.ts; `npm run client:generate` refreshes them)', async () => {
    const generated = path.join(folder, 'schema.d.ts');
    await run(bin('openapi-typescript'), [documentPath, '--output', generated], { cwd: repoRoot });
    const committed = await fs.readFile(path.join(repoRoot, 'clients/typescript/schema.d.ts'), 'utf8');
    expect(await fs.readFile(generated, 'utf8')).toBe(committed);
  });

  it('gives a typed client (openapi-fetch) that signs up, signs in and checks out', async () => {
    const [optionId] = await productWithStock(stack.db, [3]);
    const { product_id: productId } = await stack.db('product_options').where({ id: optionId }).first();

    const checkout = await checkoutWithGeneratedClient(stack.baseUrl, { productId, cardToken: 'tok_visa' });

    expect(checkout.optionId).toBe(optionId);
    expect(checkout.payment.status).toBe('COMPLETED');
    expect(checkout.order).toMatchObject({ orderId: checkout.payment.orderId, status: 'COMPLETED' });
    expect(await stockOf(stack.db, optionId)).toEqual({ total: 3, available: 2, reserved: 0, sold: 1 });
  });
});
