import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Turns the newest result of each scenario in bench/results into the "Latest results"
 * block of docs/benchmarks.md (a table) and docs/images/benchmarks.svg (a chart of
 * each scenario's throughput beside its baselines). Only the block between the markers
 * is rewritten; the rest of the page is prose.
 */
const resultsDir = path.join(__dirname, 'results');
const docsDir = path.join(__dirname, '..', 'docs');
const START = '<!-- bench-report:start -->';
const END = '<!-- bench-report:end -->';

interface Bar {
  label: string;
  value: number;
}

function svgChart(groups: { title: string; bars: Bar[] }[]): string {
  const width = 720;
  const rowHeight = 22;
  const labelWidth = 260;
  let y = 10;
  const parts: string[] = [];
  for (const group of groups) {
    parts.push(`<text x="10" y="${y + 14}" font-weight="bold">${group.title}</text>`);
    y += 24;
    const max = Math.max(...group.bars.map((b) => b.value), 1);
    for (const bar of group.bars) {
      const w = Math.round(((width - labelWidth - 80) * bar.value) / max);
      parts.push(`<text x="10" y="${y + 15}">${bar.label}</text>`);
      parts.push(`<rect x="${labelWidth}" y="${y + 3}" width="${w}" height="16" fill="#4f46e5"/>`);
      parts.push(`<text x="${labelWidth + w + 6}" y="${y + 15}">${bar.value}/s</text>`);
      y += rowHeight;
    }
    y += 12;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="13">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

export async function writeReport(): Promise<string> {
  const files = (await fs.readdir(resultsDir).catch(() => [])).filter((f) => f.endsWith('.json')).sort();
  const newest = new Map<string, any>();
  for (const file of files) {
    const result = JSON.parse(await fs.readFile(path.join(resultsDir, file), 'utf8'));
    newest.set(result.scenario, { ...result, file });
  }
  const rows: string[] = ['| Scenario | Parameters | Exact | Throughput | p50 / p95 / p99 ms | Baselines | Ratio | Commit, machine |', '|---|---|---|---|---|---|---|---|'];
  const groups: { title: string; bars: Bar[] }[] = [];
  const coupon = newest.get('coupon-rush');
  if (coupon) {
    const pg = coupon.baselines.pgbench;
    const noop = coupon.baselines.noopWorkflows;
    rows.push(
      `| coupon-rush | ${coupon.parameters.users} users, ${coupon.parameters.quantity} coupons | ${coupon.exact ? 'yes' : '**no**'} | ${coupon.claimsPerSecond} claims/s | ${coupon.latencyMs.p50} / ${coupon.latencyMs.p95} / ${coupon.latencyMs.p99} | no-op workflow (1 local activity) ${noop.workflowsPerSecond}/s; pgbench hot row ${pg.transactionsPerSecond ?? pg.skipped} tx/s | ${coupon.ratios.claimsPerSecondToNoopWorkflows} of Temporal, ${coupon.ratios.claimsPerSecondToPgbench ?? '-'} of PostgreSQL | ${coupon.machine.commit}, ${coupon.machine.cores} cores |`,
    );
    groups.push({
      title: `coupon-rush (${coupon.parameters.users} users)`,
      bars: [
        { label: 'claims through the API', value: coupon.claimsPerSecond },
        { label: 'no-op workflows (Temporal)', value: noop.workflowsPerSecond },
        ...(pg.transactionsPerSecond ? [{ label: 'hot-row transactions (pgbench)', value: pg.transactionsPerSecond }] : []),
      ],
    });
  }
  const checkout = newest.get('checkout-rush');
  if (checkout) {
    const noop = checkout.baselines.noopWorkflows;
    rows.push(
      `| checkout-rush | ${checkout.parameters.buyers} buyers, ${checkout.parameters.stock} in stock | ${checkout.exact ? 'yes' : '**no**'} | place ${checkout.place.ordersPerSecond}/s, pay ${checkout.pay.ordersPerSecond}/s | place ${checkout.place.latencyMs.p50} / ${checkout.place.latencyMs.p95} / ${checkout.place.latencyMs.p99}; pay ${checkout.pay.latencyMs.p50} / ${checkout.pay.latencyMs.p95} / ${checkout.pay.latencyMs.p99} | no-op workflow (3 activities) ${noop.workflowsPerSecond}/s | pay ${checkout.ratios.payOrdersPerSecondToNoopWorkflows} of Temporal | ${checkout.machine.commit}, ${checkout.machine.cores} cores |`,
    );
    groups.push({
      title: `checkout-rush (${checkout.parameters.buyers} buyers, ${checkout.parameters.stock} units)`,
      bars: [
        { label: 'orders placed through the API', value: checkout.place.ordersPerSecond },
        { label: 'orders paid through the API', value: checkout.pay.ordersPerSecond },
        { label: 'no-op workflows, 3 activities', value: noop.workflowsPerSecond },
      ],
    });
  }
  await fs.mkdir(path.join(docsDir, 'images'), { recursive: true });
  await fs.writeFile(path.join(docsDir, 'images', 'benchmarks.svg'), svgChart(groups));
  const block = [START, '', ...rows, '', '![Throughput beside its baselines](images/benchmarks.svg)', '', END].join('\n');
  const page = path.join(docsDir, 'benchmarks.md');
  const current = await fs.readFile(page, 'utf8').catch(() => '# Benchmarks\n');
  const next = current.includes(START)
    ? current.slice(0, current.indexOf(START)) + block + current.slice(current.indexOf(END) + END.length)
    : `${current.trimEnd()}\n\n## Latest results\n\n${block}\n`;
  await fs.writeFile(page, next);
  return page;
}
