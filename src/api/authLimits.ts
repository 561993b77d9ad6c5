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
      ? new RateLimiterPostgres({ storeClient: db, storeType: 'knex', tableName: 'auth_rate_limits', tableCreated: true, clearExpiredByTimeout: true, keyPrefix, points, duration: WINDOW_SECONDS })
      : undefined;
  const perAddress = limiter('address', settings.perAddressPerMinute);
  const perAccount = limiter('account', settings.perAccountPerMinute);

  function describe(res: Response, limit: number, state: RateLimiterRes): void {
    res.setHeader('RateLimit-Policy', `${limit};w=${WINDOW_SECONDS}`);
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, state.remainingPoints)));
    res.setHeader('RateLimit-Reset', String(Math.ceil(state.msBeforeNext / 1000)));
  }

  async function consume(res: Response, limiter: RateLimiterPostgres | undefined, limit: number, key: string, what: string): Promise<void> {
    if (!limiter) return;
    try {
      describe(res, limit, await limiter.consume(key));
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      describe(res, limit, outcome);
      const seconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
      res.setHeader('Retry-After', String(seconds));
      throw new ApiError('RATE_LIMITED', `too many attempts ${what}; retry in ${seconds} s`, { retryAfterSeconds: seconds });
    }
  }

  return {
    /** Counts one attempt from the request's address and, if given, on the account; throws 429 past either limit. */
    async admit(req: Request, res: Response, account?: string): Promise<void> {
      await consume(res, perAddress, settings.perAddressPerMinute, hashed('address', req.ip ?? 'unknown'), 'from this address');
      if (account) await consume(res, perAccount, settings.perAccountPerMinute, hashed('account', account.trim().toLowerCase()), 'on this account');
    },
  };
}

export type AuthLimits = ReturnType<typeof createAuthLimits>;
