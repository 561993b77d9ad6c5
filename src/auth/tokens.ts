import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isUuid } from '../contracts/uuid';
import type { Role } from '../db/repositories/users';

export interface Principal {
  userId: string;
  role: Role;
}

/** What a verified token says: whom it was issued to, with which role, and the account's token version then. */
export interface TokenClaims extends Principal {
  tokenVersion: number;
}

export class InvalidTokenError extends Error {}

const ISSUER = 'order-platform';

export function createTokenService(options: { secret: string; ttlSeconds: number }) {
  // A key object made once: given a string, jsonwebtoken first tries (and fails) to parse
  // it as a public key on every call, which showed in the API's CPU profile under load.
  const key = createSecretKey(Buffer.from(options.secret));
  return {
    /** A token of the account's current token version (0 unless given: an account never signed out). */
    async issue(principal: Principal & { tokenVersion?: number }): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number }> {
      const accessToken = jwt.sign({ role: principal.role, ver: principal.tokenVersion ?? 0 }, key, {
        algorithm: 'HS256',
        subject: principal.userId,
        issuer: ISSUER,
        expiresIn: options.ttlSeconds,
      });
      return { accessToken, tokenType: 'Bearer', expiresIn: options.ttlSeconds };
    },

    async verify(token: string): Promise<TokenClaims> {
      let payload: string | jwt.JwtPayload;
      try {
        // Pinning the algorithm closes the "alg: none" and key-confusion tricks.
        payload = jwt.verify(token, key, { algorithms: ['HS256'], issuer: ISSUER });
      } catch (error) {
        throw new InvalidTokenError((error as Error).message);
      }
      const role = typeof payload === 'object' ? payload.role : undefined;
      // Even a token signed with our key is refused if its subject is not an account id:
      // nothing downstream ever sees a subject that could not name a user.
      if (typeof payload !== 'object' || typeof payload.sub !== 'string' || !isUuid(payload.sub) || (role !== 'customer' && role !== 'admin')) {
        throw new InvalidTokenError('token has no valid subject or role');
      }
      // Tokens issued before versions existed carry none: version 0.
      const version = payload.ver === undefined ? 0 : payload.ver;
      if (!Number.isSafeInteger(version) || version < 0) throw new InvalidTokenError('token has no valid version');
      return { userId: payload.sub.toLowerCase(), role, tokenVersion: version };
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
