import path from 'node:path';
import type { Config } from '../config';
import type { RunningPlatform } from '../platform/start';

/** The lines a developer needs after `npm start`: where everything is and how to sign in. */
export function banner(config: Config, platform: RunningPlatform): string {
  const rows: [string, string][] = [];
  if (platform.apiUrl) {
    rows.push(['API', `${platform.apiUrl}/api/v1`]);
    rows.push(['API docs', `${platform.apiUrl}/api/docs`]);
    rows.push(['Health', `${platform.apiUrl}/readyz`]);
    if (platform.apiMetricsUrl) rows.push(['API metrics', platform.apiMetricsUrl]);
  }
  if (platform.workerMetricsUrl) rows.push(['Worker metrics', platform.workerMetricsUrl]);
  rows.push(['Temporal', platform.temporalAddress]);
  rows.push(['Temporal Web UI', platform.temporalUiUrl ?? '(set TEMPORAL_UI_URL to show it here)']);
  if (platform.paymentGatewayUrl) {
    rows.push(['Payment gateway', config.paymentGateway.url ? platform.paymentGatewayUrl : `${platform.paymentGatewayUrl} (simulator)`]);
  }
  if (platform.dataPlatformUrl) {
    rows.push(['Data platform', config.dataPlatform.url ? platform.dataPlatformUrl : `${platform.dataPlatformUrl} (simulator)`]);
  }
  rows.push(['PostgreSQL', platform.embeddedPostgresDir ? embeddedPostgresPlace(config.dataDir, platform.embeddedPostgresDir) : 'DATABASE_URL']);
  if (platform.apiUrl) {
    rows.push(['Admin email', config.auth.adminEmail]);
    rows.push(['Admin password', config.env === 'production' ? '(from ADMIN_PASSWORD)' : config.auth.adminPassword]);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
  const rule = '-'.repeat(Math.max(...lines.map((l) => l.length)) + 2);
  return ['', rule, '  Order platform is ready', rule, ...lines, rule, '  Press Ctrl-C to stop.', ''].join('\n');
}

/** As root from a folder the postgres account cannot enter, the cluster lives elsewhere. */
function embeddedPostgresPlace(dataDir: string, clusterDir: string): string {
  const inDataDir = path.relative(dataDir, clusterDir) === 'postgres';
  return inDataDir ? `embedded, data in ${dataDir}` : `embedded, data in ${dataDir} (cluster in ${clusterDir})`;
}
