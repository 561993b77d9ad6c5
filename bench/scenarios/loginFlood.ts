import type { Http } from '../lib/http';
import { startLoginFlood } from '../lib/loginFloodProcess';
import { cpuSecondsByPart, cpuSnapshot } from '../lib/cpuUsage';
import { countBy, summarise } from '../lib/stats';
import { steadyStep, type Shoppers } from './steady';

export interface LoginFloodOptions {
  /** Where the flood is sent: every API process, as a load balancer would spread it. */
  apiUrls: string[];
  /** Checkouts per second, measured alone and then under each flood. */
  ratePerSecond: number;
  seconds: number;
  products: number;
  /** Wrong-password logins in flight at once during a flood. */
  floodConcurrency: number;
  /** Customers who log in correctly during the floods, one after the other (each stays within its account's limit). */
  probes: { email: string; password: string }[];
}

/**
 * Checkout latency with no one else around, then while `floodConcurrency` clients send
 * wrong-password logins as fast as they are answered: first all from one address (the
 * per-address limit answers them 429 before any hashing), then each from an address of
 * its own (X-Forwarded-For, the API trusting one proxy: only the hashing bound stands in
 * the way). The flood comes from a process of its own, as an attacker's requests come
 * from elsewhere. Reports checkout p50/p99 in each phase as a ratio to the unloaded one, what
 * the flood was answered, and how long a correct login took meanwhile.
 */
export async function loginFlood(http: Http, gateway: Http, shoppers: Shoppers, options: LoginFloodOptions) {
  // Each phase also says where the machine's CPU went meanwhile.
  const step = async () => {
    const before = cpuSnapshot();
    const measured = await steadyStep(http, gateway, shoppers, { ratePerSecond: options.ratePerSecond, seconds: options.seconds, products: options.products, sloMs: 250, maxBacklogSeconds: 10 });
    return { ...measured, cpuSeconds: cpuSecondsByPart(before, cpuSnapshot()) };
  };
  // A first step warms the stack up (JIT, pools, caches); the second is the unloaded figure.
  await steadyStep(http, gateway, shoppers, { ratePerSecond: options.ratePerSecond, seconds: 5, products: options.products, sloMs: 250, maxBacklogSeconds: 10 });
  const unloaded = await step();

  async function underFlood(spreadAddresses: boolean) {
    const flood = await startLoginFlood({ apiUrls: options.apiUrls, concurrency: options.floodConcurrency, spreadAddresses });
    let flooding = true;
    const probes: { status: number; ms: number }[] = [];
    const probing = (async () => {
      while (flooding) {
        const reply = await http.call('POST', '/api/v1/auth/login', {
          body: options.probes[probes.length % options.probes.length],
          headers: { 'x-forwarded-for': `192.0.2.${(probes.length % 250) + 1}` },
        });
        probes.push({ status: reply.status, ms: reply.ms });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    })();
    const measured = await step();
    flooding = false;
    const [flooded] = await Promise.all([flood.stop(), probing]);
    return {
      checkout: measured,
      flood: { requests: flooded.requests, perSecond: Math.round(flooded.requests / measured.seconds), answers: flooded.answers },
      correctLogin: { answers: countBy(probes, (p) => String(p.status)), latencyMs: summarise(probes.map((p) => p.ms)) },
    };
  }

  const oneAddress = await underFlood(false);
  const manyAddresses = await underFlood(true);
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const ratios = (phase: typeof oneAddress) => ({
    payP50ToUnloaded: ratio(phase.checkout.pay.latencyMs.p50, unloaded.pay.latencyMs.p50),
    payP99ToUnloaded: ratio(phase.checkout.pay.latencyMs.p99, unloaded.pay.latencyMs.p99),
    placeP99ToUnloaded: ratio(phase.checkout.place.latencyMs.p99, unloaded.place.latencyMs.p99),
  });
  return {
    exact: unloaded.exact && oneAddress.checkout.exact && manyAddresses.checkout.exact,
    ratePerSecond: options.ratePerSecond,
    floodConcurrency: options.floodConcurrency,
    unloaded: { place: unloaded.place, pay: unloaded.pay, cpuSeconds: unloaded.cpuSeconds },
    oneAddress: { ...summaryOf(oneAddress), ratios: ratios(oneAddress) },
    manyAddresses: { ...summaryOf(manyAddresses), ratios: ratios(manyAddresses) },
  };
}

const summaryOf = (phase: { checkout: Awaited<ReturnType<typeof steadyStep>> & { cpuSeconds: Record<string, number> }; flood: unknown; correctLogin: unknown }) => ({
  place: phase.checkout.place,
  pay: phase.checkout.pay,
  cpuSeconds: phase.checkout.cpuSeconds,
  flood: phase.flood,
  correctLogin: phase.correctLogin,
});
