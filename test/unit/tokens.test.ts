import jwt from 'jsonwebtoken';
import { createTokenService, InvalidTokenError } from '../../src/auth/tokens';

const USER = '5bf57d46-c317-4353-8f15-da52c068e187';

describe('access tokens', () => {
  const tokens = createTokenService({ secret: 'a-secret-of-some-length-for-hs256', ttlSeconds: 60 });

  it('verify what they issued, with its subject, role and the account\'s token version', async () => {
    const { accessToken } = await tokens.issue({ userId: USER, role: 'admin' });
    await expect(tokens.verify(accessToken)).resolves.toEqual({ userId: USER, role: 'admin', tokenVersion: 0 });
    const later = await tokens.issue({ userId: USER, role: 'customer', tokenVersion: 3 });
    await expect(tokens.verify(later.accessToken)).resolves.toEqual({ userId: USER, role: 'customer', tokenVersion: 3 });
  });

  it('refuse a token whose subject is not an account id, or whose version is not a count, even when signed with the key', async () => {
    const key = 'a-secret-of-some-length-for-hs256';
    for (const subject of ['u-1', '', '../x', `${USER} `]) {
      await expect(tokens.verify(jwt.sign({ role: 'customer' }, key, { subject, issuer: 'order-platform' }))).rejects.toBeInstanceOf(InvalidTokenError);
    }
    for (const ver of [-1, 1.5, '2', null]) {
      await expect(tokens.verify(jwt.sign({ role: 'customer', ver }, key, { subject: USER, issuer: 'order-platform' }))).rejects.toBeInstanceOf(InvalidTokenError);
    }
  });

  it('refuse a token signed with another secret, an unsigned one and an expired one', async () => {
    const other = await createTokenService({ secret: 'another-secret-entirely-0123456789', ttlSeconds: 60 }).issue({ userId: USER, role: 'admin' });
    await expect(tokens.verify(other.accessToken)).rejects.toBeInstanceOf(InvalidTokenError);
    const unsigned = jwt.sign({ role: 'admin' }, '', { algorithm: 'none', subject: USER, issuer: 'order-platform' });
    await expect(tokens.verify(unsigned)).rejects.toBeInstanceOf(InvalidTokenError);
    const expired = await createTokenService({ secret: 'a-secret-of-some-length-for-hs256', ttlSeconds: -10 }).issue({ userId: USER, role: 'customer' });
    await expect(tokens.verify(expired.accessToken)).rejects.toThrow(/expired/);
  });
});
