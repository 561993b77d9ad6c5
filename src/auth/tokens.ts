import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../db/repositories/users';

export interface Principal {
  userId: string;
  role: Role;
}

export class InvalidTokenError extends Error {}

const ISSUER = 'order-platform';

export function createTokenService(options: { secret: string; ttlSeconds: number }) {
  // A key object made once: given a string, jsonwebtoken first tries (and fails) to parse
  // it as a public key on every call, which showed in the API's CPU profile under load.
  const key = createSecretKey(Buffer.from(options.secret));
  return {
    async issue(principal: Principal): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number }> {
      const accessToken = jwt.sign({ role: principal.role }, key, {
        algorithm: 'HS256',
        subject: principal.userId,
        issuer: ISSUER,
        expiresIn: options.ttlSeconds,
      });
      return { accessToken, tokenType: 'Bearer', expiresIn: options.ttlSeconds };
    },

    async verify(token: string): Promise<Principal> {
      let payload: string | jwt.JwtPayload;
      try {
        // Pinning the algorithm closes the "alg: none" and key-confusion tricks.
        payload = jwt.verify(token, key, { algorithms: ['HS256'], issuer: ISSUER });
      } catch (error) {
        throw new InvalidTokenError((error as Error).message);
      }
      const role = typeof payload === 'object' ? payload.role : undefined;
      if (typeof payload !== 'object' || typeof payload.sub !== 'string' || (role !== 'customer' && role !== 'admin')) {
        throw new InvalidTokenError('token has no valid subject or role');
      }
      return { userId: payload.sub, role };
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
