import type { NextFunction, Request, Response } from 'express';
import type { SessionCheck } from '../../auth/sessions';
import { InvalidTokenError, type Principal, type TokenService } from '../../auth/tokens';
import { ApiError } from '../errors';
import type { Access } from '../route';

/**
 * Authenticates the bearer token and checks the role a route needs: no, bad, revoked
 * token or one whose account is gone is 401; a valid token with the wrong role is 403.
 * The role is the account's current one (src/auth/sessions.ts), not the one the token
 * was issued with: a demoted admin is a customer within the session cache's window.
 * Public routes never refuse: a token that does not stand just means anonymous (a
 * client that still sends its expired token must be able to log in).
 */
export const createGuard = (tokens: TokenService, sessions: SessionCheck) => {
  async function authenticate(token: string): Promise<Principal> {
    let claims;
    try {
      claims = await tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new ApiError('UNAUTHORIZED', 'the access token is invalid or expired');
      throw error;
    }
    const account = await sessions.standing(claims.userId);
    if (!account) throw new ApiError('UNAUTHORIZED', 'the account of this access token no longer exists');
    if (account.tokenVersion !== claims.tokenVersion) throw new ApiError('UNAUTHORIZED', 'the access token was revoked (signed out); log in again');
    return { userId: claims.userId, role: account.role };
  }

  return (access: Access) =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      const header = req.headers.authorization;
      const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
      if (access === 'public') {
        res.locals.principal = match ? await authenticate(match[1]).catch((error) => (error instanceof ApiError ? undefined : Promise.reject(error))) : undefined;
        return next();
      }
      if (!match) throw new ApiError('UNAUTHORIZED', 'a Bearer access token is required');
      res.locals.principal = await authenticate(match[1]);
      const { role } = res.locals.principal;
      if ((access === 'admin' || access === 'customer') && role !== access) {
        throw new ApiError('FORBIDDEN', `this operation needs the ${access} role`);
      }
      next();
    };
};
