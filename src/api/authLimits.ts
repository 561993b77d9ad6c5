import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from './errors';

export interface AuthRateLimitSettings {
  /** Sign-in and sign-up attempts per client address per minute; 0 turns the limit off. */
  perAddressPerMinute: number;
  /** Sign-in attempts per account (email) per minute, from anywhere; 0 turns it off. */
  perAccountPerMinute: number;
}

const WINDOW_SECONDS = 60;

/** Keys are hashed before they are stored: the table holds no address and no email. */
const hashed = (kind: string, value: string) => `${kind}:${createHash('sha256').update(value).digest('hex')}`;

/**
 * Rate limits on the routes that hash passwords, counted in PostgreSQL so they hold
 * across API processes (rate-limiter-flexible). Every answer of a limited route carries
 * the IETF draft's `RateLimit-Policy`, `RateLimit-Limit`, `RateLimit-Remaining` and
 * `RateLimit-Reset` for the tightest limit it met; a refusal is 429 `RATE_LIMITED` with
 * `Retry-After`, before any password is hashed.
 */
export function createAuthLimits(db: Knex, settings: AuthRateLimitSettings) {
  const limiter = (keyPrefix: string, points: number) =>
    points > 0
      ? new RateLimiterPostgres({
          storeClient: db,
          storeType: 'knex',
          tableName: 'auth_rate_limits',
          tableCreated: true,
          clearExpiredByTimeout: true,
          keyPrefix,
          points,
          duration: WINDOW_SECONDS,
          // Once a key is over its limit, this process refuses it from memory until its
          // window ends: a flood's 429s then cost no query each.
          inMemoryBlockOnConsumed: points + 1,
        })
      : undefined;
  const perAddress = limiter('address', settings.perAddressPerMinute);
  const perAccount = limiter('account', settings.perAccountPerMinute);

  function describe(res: Response, limit: number, state: RateLimiterRes): void {
    res.setHeader('RateLimit-Policy', `${limit};w=${WINDOW_SECONDS}`);
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
    res.setHeader('RateLimit-Reset', String(Math.ceil(state.msBeforeNext / 1000)));
  }

  interface Counted {
    limit: number;
    state: RateLimiterRes;
    refused: boolean;
    what: string;
  }

  async function consume(limiter: RateLimiterPostgres | undefined, limit: number, key: string, what: string): Promise<Counted | undefined> {
    if (!limiter) return undefined;
    try {
      return { limit, state: await limiter.consume(key), refused: false, what };
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      return { limit, state: outcome, refused: true, what };
    }
  }

  return {
    /**
     * Counts one attempt from the request's address and, if given, on the account; the
     * headers describe whichever limit is nearer; past either it throws 429.
     */
    async admit(req: Request, res: Response, account?: string): Promise<void> {
      const counted = [
        await consume(perAddress, settings.perAddressPerMinute, hashed('address', req.ip ?? 'unknown'), 'from this address'),
        account ? await consume(perAccount, settings.perAccountPerMinute, hashed('account', account.trim().toLowerCase()), 'on this account') : undefined,
      ].filter((c): c is Counted => c !== undefined);
      if (counted.length === 0) return;
      const nearest = counted.reduce((a, b) => (b.refused && !a.refused) || (b.refused === a.refused && b.state.remainingPoints < a.state.remainingPoints) ? b : a);
      describe(res, nearest.limit, nearest.state);
      if (!nearest.refused) return;
      const seconds = Math.max(1, Math.ceil(nearest.state.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(seconds));
      throw new ApiError('RATE_LIMITED', `too many attempts ${nearest.what}; retry in ${seconds} s`, { retryAfterSeconds: seconds });
    },
  };
}

export type AuthLimits = ReturnType<typeof createAuthLimits>;

/**
 * Holds a refused sign-in's answer for `delayMs` before sending it: a client that ignores
 * Retry-After and floods the endpoint gets one answer per connection per delay, not as
 * many as the API can write, so its flood stops costing the API the CPU that checkouts
 * need. At most `maxHeld` answers are held at once; past that they go out at once.
 */
export function createTarpit(options: { delayMs: number; maxHeld: number }) {
  let held = 0;
  return {
    async hold(): Promise<void> {
      if (options.delayMs <= 0 || held >= options.maxHeld) return;
      held += 1;
      try {
        await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      } finally {
        held -= 1;
      }
    },
  };
}

export type Tarpit = ReturnType<typeof createTarpit>;
