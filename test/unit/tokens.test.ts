import jwt from 'jsonwebtoken';
import { createTokenService, InvalidTokenError } from '../../src/auth/tokens';

describe('access tokens', () => {
  const tokens = createTokenService({ secret: 'a-secret-of-some-length-for-hs256', ttlSeconds: 60 });

  it('verify what they issued, with its subject and role', async () => {
    const { accessToken } = await tokens.issue({ userId: 'u-1', role: 'admin' });
    await expect(tokens.verify(accessToken)).resolves.toEqual({ userId: 'u-1', role: 'admin' });
  });

  it('refuse a token signed with another secret, an unsigned one and an expired one', async () => {
    const other = await createTokenService({ secret: 'another-secret-entirely-0123456789', ttlSeconds: 60 }).issue({ userId: 'u-1', role: 'admin' });
    await expect(tokens.verify(other.accessToken)).rejects.toBeInstanceOf(InvalidTokenError);
    const unsigned = jwt.sign({ role: 'admin' }, '', { algorithm: 'none', subject: 'u-1', issuer: 'order-platform' });
    await expect(tokens.verify(unsigned)).rejects.toBeInstanceOf(InvalidTokenError);
    const expired = await createTokenService({ secret: 'a-secret-of-some-length-for-hs256', ttlSeconds: -10 }).issue({ userId: 'u-1', role: 'customer' });
    await expect(tokens.verify(expired.accessToken)).rejects.toThrow(/expired/);
  });
});
