import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

/** What a chaos run kills: the platform's two roles and the two services `npm start` supervises. */
export const KILL_TARGETS = ['worker', 'api', 'temporal', 'gateway'] as const;
export type KillTarget = (typeof KILL_TARGETS)[number];

export interface PlannedKill {
  /** Since the load started. */
  atMs: number;
  /** One target, sometimes two together. */
  targets: KillTarget[];
}

/** Seeded draws for a run: the same seed gives the same kills and the same load. */
export function seededRandom(seed: number) {
  const rng: RandomGenerator = xoroshiro128plus(seed);
  const int = (min: number, max: number) => unsafeUniformIntDistribution(min, max, rng);
  return {
    int,
    /** A float in [0, 1). */
    next: () => int(0, 2 ** 30 - 1) / 2 ** 30,
    pick<T>(items: readonly T[]): T {
      return items[int(0, items.length - 1)];
    },
    shuffled<T>(items: readonly T[]): T[] {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}
export type SeededRandom = ReturnType<typeof seededRandom>;

/** A share of kill events that take down a second target at the same moment. */
const PAIR_SHARE = 0.25;
/** Kills fall between 10% and 85% of the load: it runs before the first and recovers after the last. */
const WINDOW = [0.1, 0.85] as const;

/**
 * `kills` kill events over a load of `durationMs`: one per equal slot of the window, at a
 * random moment inside it, so consecutive kills are apart and the platform recovers in
 * between. Targets go round the kinds in a shuffled order, so a run of four kills or more
 * kills each kind at least once; a quarter of the events add a second, different target.
 */
export function planKills(random: SeededRandom, kills: number, durationMs: number): PlannedKill[] {
  const start = durationMs * WINDOW[0];
  const slot = (durationMs * (WINDOW[1] - WINDOW[0])) / Math.max(kills, 1);
  let order: KillTarget[] = [];
  const plan: PlannedKill[] = [];
  for (let i = 0; i < kills; i++) {
    if (order.length === 0) order = random.shuffled(KILL_TARGETS);
    const first = order.shift()!;
    const targets: KillTarget[] = [first];
    if (random.next() < PAIR_SHARE) targets.push(random.pick(KILL_TARGETS.filter((t) => t !== first)));
    plan.push({ atMs: Math.round(start + slot * i + random.next() * slot * 0.5), targets });
  }
  return plan;
}
