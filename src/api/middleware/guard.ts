import type { NextFunction, Request, Response } from 'express';
import { InvalidTokenError, type TokenService } from '../../auth/tokens';
import { ApiError } from '../errors';
import type { Access } from '../route';

/**
 * Authenticates the bearer token and checks the role a route needs: no or bad token is
 * 401, a valid token with the wrong role is 403. Public routes never refuse.
 */
export const createGuard =
  (tokens: TokenService) =>
  (access: Access) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    // A public route serves anyone: a missing, stale or malformed token just means
    // anonymous (a client that still sends its expired token must be able to log in).
    if (access === 'public') {
      res.locals.principal = match ? await tokens.verify(match[1]).catch(() => undefined) : undefined;
      return next();
    }
    if (!match) throw new ApiError('UNAUTHORIZED', 'a Bearer access token is required');
    try {
      res.locals.principal = await tokens.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new ApiError('UNAUTHORIZED', 'the access token is invalid or expired');
      throw error;
    }
    const { role } = res.locals.principal;
    if ((access === 'admin' || access === 'customer') && role !== access) {
      throw new ApiError('FORBIDDEN', `this operation needs the ${access} role`);
    }
    next();
  };
