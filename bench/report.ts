import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Turns the newest result of each scenario on each Temporal topology in bench/results
 * into the "Latest results" block of docs/benchmarks.md (a table) and
 * docs/images/benchmarks.svg (a chart of each result beside its baselines). Only the
 * block between the markers is rewritten; the rest of the page is prose.
 */
const resultsDir = path.join(__dirname, 'results');
const docsDir = path.join(__dirname, '..', 'docs');
const START = '<!-- bench-report:start -->';
const END = '<!-- bench-report:end -->';

interface Bar {
  label: string;
  value: number;
  unit: string;
}
interface Group {
  title: string;
  bars: Bar[];
}

function svgChart(groups: Group[]): string {
  const width = 760;
  const rowHeight = 22;
  const labelWidth = 300;
  let y = 10;
  const parts: string[] = [];
  for (const group of groups) {
    parts.push(`<text x="10" y="${y + 14}" font-weight="bold">${escape(group.title)}</text>`);
    y += 24;
    const max = Math.max(...group.bars.map((b) => b.value), 1);
    for (const bar of group.bars) {
      const w = Math.round(((width - labelWidth - 90) * bar.value) / max);
      parts.push(`<text x="10" y="${y + 15}">${escape(bar.label)}</text>`);
      parts.push(`<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="16" fill="#4f46e5"/>`);
      parts.push(`<text x="${labelWidth + w + 6}" y="${y + 15}">${bar.value}${bar.unit}</text>`);
      y += rowHeight;
    }
    y += 12;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="13">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** "dev server" or "PostgreSQL, 4 shards": which Temporal a result was measured on. */
function topologyName(result: any): string {
  const temporal = result.topology?.temporal ?? {};
  const processes = result.topology?.processes;
  const apart = processes && !processes.shared ? `; worker and ${processes.api} API process(es) apart` : '';
  if (String(temporal.server ?? '').startsWith('Temporal server')) return `server on PostgreSQL, ${temporal.historyShards} shards${apart}`;
  if (String(temporal.server ?? '').includes('dev server')) return `dev server (SQLite, 1 shard)${apart}`;
  return temporal.server ?? 'unknown';
}

const p = (l: { p50: number; p95: number; p99: number }) => `${l.p50} / ${l.p95} / ${l.p99}`;

function couponRow(r: any): { row: string; group: Group } {
  const pg = r.baselines.pgbench;
  const noop = r.baselines.noopWorkflows;
  return {
    row: `| coupon-rush | ${topologyName(r)} | ${r.parameters.users} users, ${r.parameters.quantity} coupons | ${r.exact ? 'yes' : '**no**'} | ${r.claimsPerSecond} claims/s | ${p(r.latencyMs)} | no-op workflow (1 local activity) ${noop.workflowsPerSecond}/s; pgbench hot row ${pg.transactionsPerSecond ?? pg.skipped} tx/s | ${r.ratios.claimsPerSecondToNoopWorkflows} of Temporal, ${r.ratios.claimsPerSecondToPgbench ?? '-'} of PostgreSQL | ${r.machine.commit} |`,
    group: {
      title: `coupon-rush, ${r.parameters.users} users (${topologyName(r)})`,
      bars: [
        { label: 'claims through the API', value: r.claimsPerSecond, unit: '/s' },
        { label: 'no-op workflows (Temporal)', value: noop.workflowsPerSecond, unit: '/s' },
        ...(pg.transactionsPerSecond ? [{ label: 'hot-row transactions (pgbench)', value: pg.transactionsPerSecond, unit: '/s' }] : []),
      ],
    },
  };
}

/** The Temporal work one completed order cost, where the result measured it. */
const perOrder = (w: any) =>
  w ? `; per order ${w.workflowTasks} workflow tasks, ${w.activityTasks} activity task(s), ${w.localActivities} local activities, ${w.historyEvents} history events` : '';

/** CPU milliseconds per order a burst cost the whole machine, where the result measured it. */
const cpuMsPer = (cpuSeconds: Record<string, number> | undefined, count: number) =>
  cpuSeconds ? Math.round((Object.values(cpuSeconds).reduce((a, b) => a + b, 0) * 1000) / count) : undefined;

function checkoutRow(r: any): { row: string; group: Group } {
  const noop = r.baselines.noopWorkflows;
  const shaped = r.baselines.noopOrders;
  const paid = r.ledger.completedOrders;
  const shapedCell = shaped ? `; no-op orders of the same shape: place ${shaped.place.ordersPerSecond}/s, pay ${shaped.pay.ordersPerSecond}/s` : '';
  const cpu = cpuMsPer(r.pay.cpuSeconds, paid);
  const shapedCpu = shaped ? cpuMsPer(shaped.pay.cpuSeconds, shaped.placed) : undefined;
  const cpuCell = cpu && shapedCpu ? `; machine CPU per payment ${cpu} ms, per no-op one ${shapedCpu} ms` : '';
  const ratios = shaped
    ? `place ${r.ratios.placeOrdersPerSecondToNoopOrders}, pay ${r.ratios.payOrdersPerSecondToNoopOrders} of the same shape; pay ${r.ratios.payOrdersPerSecondToNoopWorkflows} of 3 activities`
    : `pay ${r.ratios.payOrdersPerSecondToNoopWorkflows} of Temporal`;
  return {
    row: `| checkout-rush | ${topologyName(r)} | ${r.parameters.buyers} buyers, ${r.parameters.stock} in stock | ${r.exact ? 'yes' : '**no**'} | place ${r.place.ordersPerSecond}/s, pay ${r.pay.ordersPerSecond}/s | place ${p(r.place.latencyMs)}; pay ${p(r.pay.latencyMs)} | no-op workflow (3 activities) ${noop.workflowsPerSecond}/s${shapedCell}${perOrder(r.temporalWorkPerCompletedOrder)}${cpuCell} | ${ratios} | ${r.machine.commit} |`,
    group: {
      title: `checkout-rush, ${r.parameters.buyers} buyers for ${r.parameters.stock} units (${topologyName(r)})`,
      bars: [
        { label: 'orders placed through the API', value: r.place.ordersPerSecond, unit: '/s' },
        ...(shaped ? [{ label: 'no-op orders placed (same shape)', value: shaped.place.ordersPerSecond, unit: '/s' }] : []),
        { label: 'orders paid through the API', value: r.pay.ordersPerSecond, unit: '/s' },
        ...(shaped ? [{ label: 'no-op orders paid (same shape)', value: shaped.pay.ordersPerSecond, unit: '/s' }] : []),
        { label: 'no-op workflows, 3 activities', value: noop.workflowsPerSecond, unit: '/s' },
      ],
    },
  };
}

function stepCell(s: any): string {
  const noop = s.baseline?.noopWorkflows?.latencyMs;
  return `${s.ratePerSecond}/s${s.saturated ? ' (saturated)' : ''}: place ${s.place.latencyMs.p99}, pay ${s.pay.latencyMs.p99}${noop ? `, no-op ${noop.p99}` : ''}`;
}

function steadyRow(r: any): { row: string; group: Group } {
  const best = r.highestRateWithinSlo;
  return {
    row: `| steady | ${topologyName(r)} | ${r.parameters.seconds} s per rate, ${r.parameters.products} products | ${r.exact ? 'yes' : '**no**'} | highest rate with p99 < ${r.parameters.sloMs} ms: ${best === null ? 'none measured' : `${best} orders/s`} | p99 per rate: ${r.steps.map(stepCell).join('; ')} | no-op workflow (3 activities) at the same rate | pay p99 / no-op p99: ${r.steps.map((s: any) => s.ratios?.payP99ToNoopWorkflowP99 ?? '-').join(', ')} | ${r.machine.commit} |`,
    group: {
      title: `steady: pay p99 at each arrival rate (${topologyName(r)})`,
      bars: r.steps.flatMap((s: any) => [
        { label: `${s.ratePerSecond}/s place + pay${s.saturated ? ' (saturated)' : ''}`, value: s.pay.latencyMs.p99, unit: ' ms' },
        ...(s.baseline ? [{ label: `${s.ratePerSecond}/s no-op workflow`, value: s.baseline.noopWorkflows.latencyMs.p99, unit: ' ms' }] : []),
      ]),
    },
  };
}

function growthRow(r: any): { row: string; group: Group } {
  const seqRows = (s: any) => Object.values(s.tables as Record<string, { rowsReadBySequentialScans: number }>).reduce((a, t) => a + t.rowsReadBySequentialScans, 0);
  return {
    row: `| growth | ${topologyName(r)} | ${r.parameters.ratePerSecond} orders/s for ${r.parameters.seconds} s | ${r.exact ? 'yes' : '**no**'} | ${r.steps.map((s: any) => `${s.historicalOrders.toLocaleString('en')} orders: ${s.completedPerSecond}/s`).join('; ')} | ${r.steps.map((s: any) => `${s.historicalOrders.toLocaleString('en')}: place ${s.place.latencyMs.p50} / ${s.place.latencyMs.p99}, pay ${s.pay.latencyMs.p50} / ${s.pay.latencyMs.p99} (p50 / p99)`).join('; ')} | rows read by sequential scans of the growing tables: ${r.steps.map(seqRows).join(', ')} | - | ${r.machine.commit} |`,
    group: {
      title: `growth: pay p99 at ${r.parameters.ratePerSecond} orders/s as history grows (${topologyName(r)})`,
      bars: r.steps.map((s: any) => ({ label: `${s.historicalOrders.toLocaleString('en')} historical orders`, value: s.pay.latencyMs.p99, unit: ' ms' })),
    },
  };
}

const renderers: Record<string, (r: any) => { row: string; group: Group }> = {
  'coupon-rush': couponRow,
  'checkout-rush': checkoutRow,
  steady: steadyRow,
  growth: growthRow,
};

export async function writeReport(): Promise<string> {
  const files = (await fs.readdir(resultsDir).catch(() => [])).filter((f) => f.endsWith('.json')).sort();
  const newest = new Map<string, any>();
  for (const file of files) {
    const result = JSON.parse(await fs.readFile(path.join(resultsDir, file), 'utf8'));
    if (!renderers[result.scenario]) continue;
    // A rush of another size is a row of its own (1,000 and 10,000 claims say different things).
    const size = String(result.parameters?.users ?? result.parameters?.buyers ?? '').padStart(8, '0');
    newest.set(`${Object.keys(renderers).indexOf(result.scenario)} ${topologyName(result)} ${size}`, { ...result, file });
  }
  const rows = ['| Scenario | Temporal | Parameters | Exact | Throughput | p50 / p95 / p99 ms | Baselines | Ratio | Commit |', '|---|---|---|---|---|---|---|---|---|'];
  const groups: Group[] = [];
  for (const key of [...newest.keys()].sort()) {
    const result = newest.get(key);
    const { row, group } = renderers[result.scenario](result);
    rows.push(row);
    groups.push(group);
  }
  const machines = [...new Set([...newest.values()].map((r) => `${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}`))];
  await fs.mkdir(path.join(docsDir, 'images'), { recursive: true });
  await fs.writeFile(path.join(docsDir, 'images', 'benchmarks.svg'), svgChart(groups));
  const block = [
    START,
    '',
    `Measured on: ${machines.join('; ')}. Raw results: \`bench/results/\` (the newest file of each scenario and topology).`,
    '',
    ...rows,
    '',
    '![Each result beside its baselines](images/benchmarks.svg)',
    '',
    END,
  ].join('\n');
  const page = path.join(docsDir, 'benchmarks.md');
  const current = await fs.readFile(page, 'utf8').catch(() => '# Benchmarks\n');
  const next = current.includes(START)
    ? current.slice(0, current.indexOf(START)) + block + current.slice(current.indexOf(END) + END.length)
    : `${current.trimEnd()}\n\n## Latest results\n\n${block}\n`;
  await fs.writeFile(page, next);
  return page;
}
