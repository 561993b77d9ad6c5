/**
 * `npm run chaos -- check`: reads a running platform's books (DATABASE_URL, the
 * platform's PostgreSQL with the gateway simulator's schema beside it; TEMPORAL_ADDRESS
 * and TEMPORAL_NAMESPACE for its workflows) and prints every invariant violation
 * (chaos/invariants.ts) as JSON; exits 1 if there is any. Run it once the load has stopped
 * and the workflows are quiet.
 *
 *   DATABASE_URL=postgres://... TEMPORAL_ADDRESS=127.0.0.1:7233 npm run chaos -- check [--grace-seconds 60]
 */
import { parseArgs } from 'node:util';
import { createDb } from '../src/db/knex';
import { connectClient } from '../src/temporal/client';
import { checkInvariants } from './invariants';

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options: { 'grace-seconds': { type: 'string', default: '60' }, 'task-queue': { type: 'string' } } });
  if (command !== 'check') {
    console.error('usage: npm run chaos -- check [--grace-seconds 60] [--task-queue Q]   (see chaos/cli.ts)');
    return 2;
  }
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('set DATABASE_URL to the platform\'s PostgreSQL');
    return 2;
  }
  const db = createDb({ url: databaseUrl, poolMax: 4 });
  const temporal = process.env.TEMPORAL_ADDRESS
    ? await connectClient({ address: process.env.TEMPORAL_ADDRESS, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' })
    : undefined;
  try {
    const report = await checkInvariants({
      db,
      client: temporal?.client,
      taskQueue: values['task-queue'],
      pendingGraceMs: Number(values['grace-seconds']) * 1000,
    });
    console.log(JSON.stringify(report, null, 2));
    console.error(report.violations.length === 0 ? 'no violations' : `${report.violations.length} violation(s)`);
    return report.violations.length === 0 ? 0 : 1;
  } finally {
    await db.destroy();
    await temporal?.connection.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
