import { z } from 'zod';
import type { Response } from 'express';
import { HashingBusyError, hashPassword, verifyAgainstDecoy, verifyPassword } from '../../auth/passwords';
import { clientGone } from '../clientGone';
import { createUserRepository, EmailTakenError } from '../../db/repositories/users';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { defineRoute } from '../route';
import { text } from '../schemas';

const signupBody = z.strictObject({
  email: z.email().max(254),
  // 8..128: long enough to matter, short enough that hashing it is not a DoS vector.
  password: z.string().min(8).max(128),
  name: text(100),
});

const loginBody = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(128),
});

export const authRoutes = (deps: AppDeps) => {
  const users = createUserRepository(deps.db);

  /** A refusal for too many attempts is answered after the tarpit's delay (src/api/authLimits.ts). */
  async function slowRefusals<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'RATE_LIMITED') await deps.refusalTarpit.hold();
      throw error;
    }
  }

  const busy = (res: Response) => {
    res.setHeader('Retry-After', '1');
    return new ApiError('RATE_LIMITED', 'too many sign-ins at once; retry in a second', { retryAfterSeconds: 1 });
  };

  /** Refuses at once, before any query, when the hashing queue is full (a flood from many addresses). */
  function refuseIfSaturated(res: Response): void {
    if (deps.hashing.saturated()) throw busy(res);
  }

  /** A password hash through the process's bound; a full queue is a 429, a client that left gets none. */
  async function hashed<T>(res: Response, work: () => Promise<T>): Promise<T> {
    try {
      return await deps.hashing.run(clientGone(res), work);
    } catch (error) {
      if (error instanceof HashingBusyError) throw busy(res);
      throw error;
    }
  }

  return [
    defineRoute({
      method: 'post',
      path: '/auth/signup',
      summary: 'Create a customer account',
      tag: 'auth',
      access: 'public',
      body: signupBody,
      success: { status: 201, description: 'Account created', schema: z.object({ userId: z.uuid() }) },
      errors: ['VALIDATION_FAILED', 'EMAIL_TAKEN', 'RATE_LIMITED'],
      async handle({ body, req, res }) {
        const passwordHash = await slowRefusals(async () => {
          refuseIfSaturated(res);
          await deps.authLimits.admit(req, res);
          return hashed(res, () => hashPassword(body.password));
        });
        try {
          const user = await users.insert({ email: body.email, name: body.name, passwordHash, role: 'customer' });
          return { userId: user.id };
        } catch (error) {
          if (error instanceof EmailTakenError) throw new ApiError('EMAIL_TAKEN', 'this email is already registered');
          throw error;
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/login',
      summary: 'Exchange email and password for a Bearer access token',
      tag: 'auth',
      access: 'public',
      body: loginBody,
      success: {
        status: 200,
        description: 'Signed JWT access token',
        schema: z.object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() }),
      },
      errors: ['VALIDATION_FAILED', 'INVALID_CREDENTIALS', 'RATE_LIMITED'],
      async handle({ body, req, res }) {
        const { user, valid } = await slowRefusals(async () => {
          refuseIfSaturated(res);
          await deps.authLimits.admit(req, res, body.email);
          const found = await users.findByEmail(body.email);
          return { user: found, valid: await hashed(res, () => (found ? verifyPassword(found.passwordHash, body.password) : verifyAgainstDecoy(body.password))) };
        });
        if (!user || !valid) throw new ApiError('INVALID_CREDENTIALS', 'email or password is wrong');
        return deps.tokens.issue({ userId: user.id, role: user.role, tokenVersion: user.tokenVersion });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/logout',
      summary: 'Sign out everywhere: revokes every access token of the account issued so far',
      tag: 'auth',
      access: 'authenticated',
      success: { status: 200, description: 'Signed out; every earlier token of the account now answers 401', schema: z.object({ status: z.literal('signed-out') }) },
      errors: ['UNAUTHORIZED'],
      async handle({ principal }) {
        await deps.sessions.revoke(principal.userId);
        return { status: 'signed-out' as const };
      },
    }),
  ];
};
