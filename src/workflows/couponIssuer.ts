import * as wf from '@temporalio/workflow';
import type { CouponActivities } from '../activities/coupons';
import { claimUpdate, ISSUER_HANDING_OVER, issuerProgressQuery } from '../contracts/couponMessages';
import type { ClaimOutcome, CouponClaim, CouponIssuerInput } from '../contracts/coupons';
import { claimSettlementOptions } from './activityOptions';

const { settleCouponClaims } = wf.proxyLocalActivities<CouponActivities>(claimSettlementOptions);

/** Claims per transaction: big enough to carry a rush, small enough for one quick statement. */
const MAX_BATCH = 500;
/**
 * Claims one run takes before it continues as new: well below the server's limit of
 * Updates per run (history.maxTotalUpdates, 2,000) and a history that stays small to
 * replay. The run also hands over when the server suggests it.
 */
const DEFAULT_CLAIMS_PER_RUN = 1_000;
/** An issuer with nothing to do closes; the next claim starts a new one. */
const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60_000;

interface WaitingClaim {
  claim: CouponClaim;
  answer: (outcome: ClaimOutcome) => void;
}

/** The issuer's state: the claims waiting for the next batch, and whether this run is handing over. */
class IssuerState {
  readonly waiting: WaitingClaim[] = [];
  taken = 0;
  handingOver = false;

  constructor(private readonly claimsPerRun: number) {}

  /** Queues a claim for the next batch; its answer comes when that batch is settled. */
  take(claim: CouponClaim): Promise<ClaimOutcome> {
    this.taken += 1;
    if (this.taken >= this.claimsPerRun) this.handingOver = true;
    return new Promise((answer) => this.waiting.push({ claim, answer }));
  }

  nextBatch(): WaitingClaim[] {
    return this.waiting.splice(0, MAX_BATCH);
  }
}

/**
 * The one issuer of a coupon: every claim on it is a `claim` Update of this workflow,
 * started on first use by update-with-start. The claims that arrive while a batch is
 * being settled wait for the next one, so a rush costs one transaction per batch rather
 * than one workflow per claim (docs/coupon-issuance.md). The workflow holds nothing the
 * database does not: a new run starts from the coupon's row like the last one.
 */
export async function couponIssuer(input: CouponIssuerInput): Promise<void> {
  const state = new IssuerState(input.claimsPerRun ?? DEFAULT_CLAIMS_PER_RUN);

  wf.setHandler(claimUpdate, (claim) => state.take(claim), {
    // While a run hands over, a claim is refused before it runs (nothing is written to
    // history) and the client sends it again; it then lands on the next run.
    validator: (_claim: CouponClaim) => {
      if (state.handingOver) {
        throw wf.ApplicationFailure.create({ type: ISSUER_HANDING_OVER, message: 'the coupon issuer is handing over to its next run; send the claim again' });
      }
    },
  });

  wf.setHandler(issuerProgressQuery, () => ({
    couponId: input.couponId,
    waitingClaims: state.waiting.length,
    claimsTakenThisRun: state.taken,
    handingOver: state.handingOver,
  }));

  for (;;) {
    const woken = await wf.condition(() => state.waiting.length > 0, input.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
    if (!woken && state.waiting.length === 0) break;

    const batch = state.nextBatch();
    const outcomes = await settleCouponClaims({ couponId: input.couponId, claims: batch.map((w) => w.claim) });
    batch.forEach((waiting, i) => waiting.answer(outcomes[i]));

    if (wf.workflowInfo().continueAsNewSuggested) state.handingOver = true;
    if (state.handingOver && state.waiting.length === 0) {
      await wf.condition(wf.allHandlersFinished);
      await wf.continueAsNew<typeof couponIssuer>(input);
    }
  }
  // Idle: claims arriving from here on are refused and sent again, to a new run.
  state.handingOver = true;
  await wf.condition(wf.allHandlersFinished);
}
