import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { createStockActivities } from '../../src/activities/stock';
import { observeDatabasePool } from '../../src/metrics/apiMetrics';
import { observeOrderGauges } from '../../src/metrics/orderMetrics';
import { metricsRegistry } from '../../src/metrics/registry';
import { serveMetrics } from '../../src/metrics/server';
import { launchChromium } from '../support/chromium';
import { signUpCustomer } from '../support/factories';
import { productWithStock } from '../support/catalog';
import { eventually, payOrder, placeOrder } from '../support/orders';
import { freePorts } from '../support/ports';
import { stackWithWorkerProcesses } from '../support/workerProcess';

const run = promisify(execFile);
const configFolder = path.resolve(__dirname, '../../prometheus');

interface ScrapeConfig {
  job_name: string;
}

/**
 * The repository's Prometheus setup, run for real (Debian's prometheus and promtool):
 * the alert rules pass `promtool check` and their unit tests, and a Prometheus started
 * with prometheus/prometheus.yml (its targets pointed at this test's API and worker,
 * scraped every second) reads back the checkouts this test makes. With
 * SAVE_PROMETHEUS_SCREENSHOT=1 (`npm run screenshots:prometheus`) a screenshot of its
 * graph of the checkout rate goes to docs/images.
 */
describe('Prometheus with the repository’s scrape config and alert rules', () => {
  const harness = stackWithWorkerProcesses({ resultTimeoutMs: 60_000 });
  let folder: string;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl: string;
  let apiMetrics: Awaited<ReturnType<typeof serveMetrics>>;

  const query = async (promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    expect(body.status).toBe('success');
    return body.data.result;
  };

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-prometheus-'));
    const worker = await harness.launchWorker();
    observeDatabasePool(harness.stack.db, 'api');
    observeOrderGauges(harness.stack.db);
    apiMetrics = await serveMetrics(metricsRegistry, 0, '127.0.0.1');

    // The repository's file, but for where its targets are (compose finds them by DNS) and how often they are read.
    const config = YAML.parse(await fs.readFile(path.join(configFolder, 'prometheus.yml'), 'utf8'));
    const here: Record<string, string> = { 'order-platform-api': new URL(apiMetrics.url).host, 'order-platform-worker': new URL(worker.metricsUrl).host };
    config.global.scrape_interval = '1s';
    config.global.evaluation_interval = '1s';
    config.scrape_configs = (config.scrape_configs as ScrapeConfig[])
      .filter((job) => here[job.job_name])
      .map(({ job_name }) => ({ job_name, static_configs: [{ targets: [here[job_name]] }] }));
    await fs.writeFile(path.join(folder, 'prometheus.yml'), YAML.stringify(config));
    await fs.copyFile(path.join(configFolder, 'alerts.yml'), path.join(folder, 'alerts.yml'));

    const [port] = await freePorts(1);
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [`--config.file=${path.join(folder, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: 'ignore' },
    );
    await eventually(async () => ((await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined), 30_000, 'Prometheus ready');
  });
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await apiMetrics?.close();
    await fs.rm(folder, { recursive: true, force: true });
  });

  it('checks the alert rules and passes their unit tests (promtool)', async () => {
    await expect(run('promtool', ['check', 'rules', path.join(configFolder, 'alerts.yml')])).resolves.toBeDefined();
    const tested = await run('promtool', ['test', 'rules', path.join(configFolder, 'alerts.test.yml')]);
    expect(tested.stdout).toContain('SUCCESS');
    await expect(run('promtool', ['check', 'config', path.join(configFolder, 'prometheus.yml')])).resolves.toBeDefined();
    // Every alert points at its own section of the operations guide, and the section exists.
    const rules = YAML.parse(await fs.readFile(path.join(configFolder, 'alerts.yml'), 'utf8')).groups.flatMap((g: { rules: unknown[] }) => g.rules) as {
      alert: string;
      annotations: { runbook: string };
    }[];
    const guide = await fs.readFile(path.resolve(__dirname, '../../docs/operations.md'), 'utf8');
    for (const rule of rules) {
      expect(rule.annotations.runbook).toBe(`docs/operations.md#${rule.alert.toLowerCase()}`);
      expect(guide).toContain(`\n#### ${rule.alert}\n`);
    }
    await expect(run('promtool', ['check', 'config', path.join(folder, 'prometheus.yml')])).resolves.toBeDefined();
  });

  it('scrapes the API and the worker and reads the checkout rate back through its query API', async () => {
    const { stack } = harness;
    await eventually(async () => ((await query('up == 1')).length === 2 ? true : undefined), 30_000, 'both targets up');
    const rules = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { name: string }[] }[] } };
    const ruleFile = YAML.parse(await fs.readFile(path.join(configFolder, 'alerts.yml'), 'utf8')) as { groups: { rules: unknown[] }[] };
    expect(rules.data.groups.find((g) => g.name === 'order-platform')?.rules).toHaveLength(ruleFile.groups.flatMap((g) => g.rules).length);

    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [5]);
    for (let i = 0; i < 5; i++) {
      const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
      expect((await payOrder(stack, customer, placed.body.orderId, 'tok_visa')).status).toBe(200);
    }

    const paid = 'order_platform_http_requests_total{job="order-platform-api",route="/api/v1/orders/:id/payment",status="200"}';
    await eventually(async () => ((await query(`sum(${paid})`))[0]?.value[1] === '5' ? true : undefined), 30_000, 'five payments in Prometheus');
    const [rate] = await query(`sum(rate(${paid}[1m]))`);
    expect(Number(rate.value[1])).toBeGreaterThan(0);
    const sagas = 'order_platform_sagas_ended_total{job="order-platform-worker",outcome="completed"}';
    await eventually(async () => ((await query(`sum(${sagas})`))[0]?.value[1] === '5' ? true : undefined), 30_000, 'five completed sagas in Prometheus');
    expect((await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] })).body.error.code).toBe('OUT_OF_STOCK');

    if (process.env.SAVE_PROMETHEUS_SCREENSHOT === '1') {
      // A minute of checkouts at a changing pace, so the graph has a shape to show.
      const [more] = await productWithStock(stack.db, [200]);
      for (let second = 0; second < 60; second++) {
        const pace = second < 20 ? 1 : second < 40 ? 3 : 2;
        await Promise.all(
          Array.from({ length: pace }, async () => {
            const order = await placeOrder(stack, customer, { items: [{ productOptionId: more, quantity: 1 }] });
            await payOrder(stack, customer, order.body.orderId, 'tok_visa');
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      const browser = await launchChromium();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const graph = `${prometheusUrl}/graph?g0.expr=${encodeURIComponent(`sum(rate(${paid}[15s]))`)}&g0.tab=0&g0.range_input=2m`;
        await page.goto(graph);
        await page.waitForSelector('canvas, svg', { timeout: 15_000 });
        await page.waitForTimeout(1_000);
        await page.screenshot({ path: path.resolve(__dirname, '../../docs/images/prometheus-checkout-rate.png') });
      } finally {
        await browser.close();
      }
    }
  });

  it("has a Grafana dashboard whose every panel query is valid PromQL naming only metrics Prometheus has from the platform", async () => {
    // A compensated saga whose refund fails a round, so the saga panels' metrics exist too.
    const { stack } = harness;
    const customer = await signUpCustomer(stack);
    const [optionId] = await productWithStock(stack.db, [1]);
    const placed = await placeOrder(stack, customer, { items: [{ productOptionId: optionId, quantity: 1 }] });
    await createStockActivities({ db: stack.db }).releaseStock(placed.body.orderId);
    expect((await payOrder(stack, customer, placed.body.orderId, 'tok_refund_error_3')).status).toBe(409);

    const dashboard = JSON.parse(await fs.readFile(path.resolve(__dirname, '../../grafana/dashboards/order-platform.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const queries = dashboard.panels.flatMap((panel) => panel.targets.map((t) => ({ panel: panel.title, expr: t.expr.replaceAll('$__rate_interval', '1m') })));
    const named = [...new Set(queries.flatMap((q) => metricNamesIn(q.expr)))];
    expect(named).toEqual(expect.arrayContaining(['order_platform_orders_needing_attention', 'temporal_workflow_task_schedule_to_start_latency_seconds_bucket']));
    const known = async () => {
      const response = await fetch(`${prometheusUrl}/api/v1/label/__name__/values?${new URLSearchParams({ 'match[]': '{job=~"order-platform-.*"}' })}`);
      return new Set(((await response.json()) as { data: string[] }).data);
    };
    // Scrapes come every second; what is still missing after 30 s is reported by name.
    let missing = named;
    for (const deadline = Date.now() + 30_000; missing.length > 0 && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 1_000))) {
      const have = await known();
      missing = named.filter((name) => !have.has(name));
    }
    expect(missing).toEqual([]);
    for (const { panel, expr } of queries) {
      const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
      expect({ panel, status: response.status }).toEqual({ panel, status: 200 });
    }
  });
});

const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'by', 'without', 'rate', 'irate', 'increase', 'histogram_quantile', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

/** The metric names a PromQL expression reads: what is left once strings, label matchers, groupings, ranges and function names are taken out. */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  return [...bare.matchAll(/\b([A-Za-z_:][A-Za-z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]).filter((word) => !PROMQL_WORDS.has(word) && !/^\d/.test(word));
}
