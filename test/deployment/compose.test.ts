import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../..');

interface ComposeService {
  image?: string;
  build?: unknown;
  restart?: string;
  healthcheck?: { test: string[] };
  ports?: { published?: string; target: number }[];
  depends_on?: Record<string, { condition: string }>;
  environment?: Record<string, string>;
}

/**
 * docker-compose.yml as `docker compose` reads it, without a Docker engine: loaded by
 * compose-go (the library docker compose itself is built on: the Compose
 * specification's schema, interpolation from .env, service references) through
 * tools/composecheck, built here with the Go toolchain.
 */
describe('docker-compose.yml', () => {
  let folder: string;
  let checker: string;

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'order-platform-compose-'));
    checker = path.join(folder, 'composecheck');
    await run('go', ['build', '-o', checker, '.'], { cwd: path.join(repoRoot, 'tools/composecheck') });
  }, 600_000);
  afterAll(() => fs.rm(folder, { recursive: true, force: true }));

  /** Loads the repository's compose file beside the given .env (none: no .env at all). */
  async function load(dotEnv?: string): Promise<{ services: Record<string, ComposeService> }> {
    const project = await fs.mkdtemp(path.join(folder, 'project-'));
    await fs.copyFile(path.join(repoRoot, 'docker-compose.yml'), path.join(project, 'docker-compose.yml'));
    if (dotEnv !== undefined) await fs.writeFile(path.join(project, '.env'), dotEnv);
    // Nothing of this machine's environment may fill a variable .env should.
    const { stdout } = await run(checker, [path.join(project, 'docker-compose.yml')], { env: { PATH: process.env.PATH! } });
    return JSON.parse(stdout);
  }

  it('is a valid Compose file whose credentials all come from .env (.env.example fills them)', async () => {
    const { services } = await load(await fs.readFile(path.join(repoRoot, '.env.example'), 'utf8'));
    expect(Object.keys(services).sort()).toEqual(['api', 'data-platform', 'grafana', 'payment-gateway', 'postgres', 'prometheus', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker']);
    expect(services.api.environment?.DATABASE_URL).toBe('postgres://order:change-me-postgres@postgres:5432/order_platform');
    expect(services.worker.environment?.JWT_SECRET).toMatch(/^change-me/);
  });

  it('refuses to load without a .env, naming each missing secret', async () => {
    const refused = await load().catch((error: { stderr: string }) => error.stderr);
    for (const variable of ['POSTGRES_PASSWORD', 'JWT_SECRET', 'ADMIN_PASSWORD', 'GRAFANA_ADMIN_PASSWORD']) expect(refused).toContain(`set ${variable} in .env`);
  });

  it('runs a current Temporal server after a schema step, the app after its namespace exists, every service restarting and health-checked, only the API and UIs published', async () => {
    const { services } = await load(await fs.readFile(path.join(repoRoot, '.env.example'), 'utf8'));
    expect(Object.values(services).some((s) => s.image?.includes('auto-setup'))).toBe(false);
    expect(services.temporal.image).toBe('temporalio/server:1.29.1');
    expect(services.temporal.depends_on?.['temporal-schema']).toEqual(expect.objectContaining({ condition: 'service_completed_successfully' }));
    // The server image creates no namespace; the platform registers its search attributes in `default` at start-up.
    for (const app of ['api', 'worker']) {
      expect(services[app].depends_on?.['temporal-namespace']).toEqual(expect.objectContaining({ condition: 'service_completed_successfully' }));
    }
    expect(services['temporal-namespace'].depends_on?.temporal).toEqual(expect.objectContaining({ condition: 'service_healthy' }));
    for (const [name, service] of Object.entries(services)) {
      // The one-shot steps run once and end; everything else runs for good.
      if (name === 'temporal-schema' || name === 'temporal-namespace') {
        expect(service.restart).toBe('on-failure');
        continue;
      }
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
      expect({ name, healthcheck: Boolean(service.healthcheck?.test?.length) }).toEqual({ name, healthcheck: true });
    }
    const published = Object.fromEntries(Object.entries(services).filter(([, s]) => s.ports?.length).map(([name, s]) => [name, s.ports!.map((p) => p.published)]));
    expect(published).toEqual({ api: ['3000'], 'temporal-ui': ['8080'], prometheus: ['9090'], grafana: ['3001'] });
    // The app's own services run the production image's compiled build.
    for (const name of ['api', 'worker', 'payment-gateway', 'data-platform']) expect(services[name].build).toBeDefined();
  });

  it("has Prometheus scrape every app service and the Temporal server where compose makes them serve metrics", async () => {
    const { services } = await load(await fs.readFile(path.join(repoRoot, '.env.example'), 'utf8'));
    const scrape = YAML.parse(await fs.readFile(path.join(repoRoot, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; dns_sd_configs?: { names: string[]; port: number }[]; static_configs?: { targets: string[] }[] }[];
    };
    const targets = Object.fromEntries(
      scrape.scrape_configs.map((job) => {
        const dns = job.dns_sd_configs?.[0];
        const [host, port] = dns ? [dns.names[0], dns.port] : job.static_configs![0].targets[0].split(':');
        return [job.job_name, { host, port: Number(port) }];
      }),
    );
    expect(targets).toEqual({
      'order-platform-api': { host: 'api', port: Number(services.api.environment?.API_METRICS_PORT) },
      'order-platform-worker': { host: 'worker', port: Number(services.worker.environment?.WORKER_METRICS_PORT) },
      'temporal-server': { host: 'temporal', port: Number(services.temporal.environment?.PROMETHEUS_ENDPOINT?.split(':')[1]) },
    });
    // The worker's healthcheck reads the same endpoint Prometheus scrapes.
    expect(services.worker.healthcheck?.test.join(' ')).toContain(`:${targets['order-platform-worker'].port}/metrics`);
    // Prometheus and Grafana are given the repository's files.
    expect(JSON.stringify(services.prometheus)).toContain('/etc/prometheus');
    expect(JSON.stringify(services.grafana)).toContain('/etc/grafana/provisioning');
  });
});
