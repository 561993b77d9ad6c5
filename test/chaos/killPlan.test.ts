import fc from 'fast-check';
import { KILL_TARGETS, planKills, seededRandom } from '../../chaos/killPlan';

describe('the chaos run\'s kill plan', () => {
  it('is the same for the same seed, and differs for another', () => {
    const plan = (seed: number) => planKills(seededRandom(seed), 12, 600_000);
    expect(plan(7)).toEqual(plan(7));
    expect(plan(7)).not.toEqual(plan(8));
  });

  it('kills every kind when it kills at least four times, inside the window, in order and apart', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 4, max: 40 }), fc.integer({ min: 10_000, max: 3_600_000 }), (seed, kills, durationMs) => {
        const plan = planKills(seededRandom(seed), kills, durationMs);
        expect(plan).toHaveLength(kills);
        expect(new Set(plan.flatMap((k) => k.targets))).toEqual(new Set(KILL_TARGETS));
        const slot = (durationMs * 0.75) / kills;
        plan.forEach((kill, i) => {
          expect(kill.atMs).toBeGreaterThanOrEqual(durationMs * 0.1 - 1);
          expect(kill.atMs).toBeLessThanOrEqual(durationMs * 0.85);
          if (i > 0) expect(kill.atMs - plan[i - 1].atMs).toBeGreaterThanOrEqual(slot * 0.5 - 1);
          expect(new Set(kill.targets).size).toBe(kill.targets.length);
        });
      }),
    );
  });
});
