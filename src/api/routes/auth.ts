import { z } from 'zod';
import type { Request, Response } from 'express';
import { HashingBusyError, verifyAgainstDecoy, type Hasher } from '../../auth/passwords';
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

const busy = (res: Response) => {
  res.setHeader('Retry-After', '1');
  return new ApiError('RATE_LIMITED', 'too many sign-ins at once; retry in a second', { retryAfterSeconds: 1 });
};

export const authRoutes = (deps: AppDeps) => {
  const users = createUserRepository(deps.db);

  /**
   * One sign-in or sign-up attempt: refused 429 at once when the hashing queue is full
   * (before any query), then when a rate limit is passed, and otherwise `work` (which
   * hashes) runs under the process's hashing bound, skipped if the client has left. A
   * refusal is held by the tarpit before it is answered.
   */
  async function attempt<T>(req: Request, res: Response, account: string | undefined, work: (hasher: Hasher) => Promise<T>): Promise<T> {
    try {
      if (deps.hashing.saturated()) throw new HashingBusyError('too many password checks waiting');
      await deps.authLimits.admit(req, res, account);
      return await deps.hashing.run(clientGone(res), work);
    } catch (error) {
      const refusal = error instanceof HashingBusyError ? busy(res) : error;
      if (refusal instanceof ApiError && refusal.code === 'RATE_LIMITED') await deps.refusalTarpit.hold();
      throw refusal;
    }
  }

  return [
    defineRoute({
      method: 'post',
      path: '/auth/signup',
      operationId: 'signUp',
      summary: 'Create a customer account',
      description:
        'Creates a customer account and answers its id; sign in with POST /auth/login to get a token. Rate limited per client address, and refused at once while the password-hashing queue is full (429 with Retry-After); passwords are hashed with argon2id.',
      tag: 'auth',
      access: 'public',
      body: signupBody,
      success: { status: 201, description: 'Account created', schema: z.object({ userId: z.uuid() }) },
      errors: ['VALIDATION_FAILED', 'EMAIL_TAKEN', 'RATE_LIMITED'],
      async handle({ body, req, res }) {
        const passwordHash = await attempt(req, res, undefined, (hasher) => hasher.hash(body.password));
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
      operationId: 'logIn',
      summary: 'Exchange email and password for a Bearer access token',
      description:
        'Checks the email and password and answers a signed JWT for the Authorization header. Rate limited per client address and per account; a wrong email costs as much as a wrong password, so answers do not tell which accounts exist.',
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
        const { user, valid } = await attempt(req, res, body.email, async (hasher) => {
          const found = await users.findByEmail(body.email);
          return { user: found, valid: found ? await hasher.verify(found.passwordHash, body.password) : await verifyAgainstDecoy(hasher, body.password) };
        });
        if (!user || !valid) throw new ApiError('INVALID_CREDENTIALS', 'email or password is wrong');
        return deps.tokens.issue({ userId: user.id, role: user.role, tokenVersion: user.tokenVersion });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/logout',
      operationId: 'logOut',
      summary: 'Sign out everywhere: revokes every access token of the account issued so far',
      description:
        "Raises the account's token version: every token issued to it so far is refused with 401 within the session cache time (AUTH_SESSION_CACHE_SECONDS, 10 s by default).",
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
