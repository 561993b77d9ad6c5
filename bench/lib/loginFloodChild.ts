import { randomUUID } from 'node:crypto';
import { createHttp } from './http';
import type { LoginFloodReport, LoginFloodSettings } from './loginFloodProcess';

/**
 * The flood's own process (see loginFloodProcess.ts): `concurrency` loops, each sending a
 * wrong-password login for an unknown email as soon as the last one was answered, until
 * the parent says stop; then it reports what the API answered and exits.
 */
const settings = JSON.parse(process.argv[2]) as LoginFloodSettings;
const http = createHttp(settings.apiUrls, settings.concurrency + 8, 30_000);
const answers: Record<string, number> = {};
let flooding = true;

const randomAddress = () => `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`;

async function floodLoop() {
  while (flooding) {
    const reply = await http
      .call('POST', '/api/v1/auth/login', {
        body: { email: `flood-${randomUUID()}@bench.example`, password: 'not the password' },
        headers: settings.spreadAddresses ? { 'x-forwarded-for': randomAddress() } : {},
      })
      .catch(() => ({ status: 0 }));
    answers[reply.status] = (answers[reply.status] ?? 0) + 1;
  }
}

const loops = Promise.all(Array.from({ length: settings.concurrency }, floodLoop));
process.send!({ started: true });
process.once('message', async () => {
  flooding = false;
  await loops;
  await http.close();
  const report: LoginFloodReport = { requests: Object.values(answers).reduce((a, b) => a + b, 0), answers };
  process.send!(report, () => process.exit(0));
});
process.once('disconnect', () => process.exit(0));
