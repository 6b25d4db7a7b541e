import { IdTokenError } from '../lib';
import { validateIdToken } from '../lib/id-token';
import { fakeIdToken, idTokenClaims } from './support/id-token';

const CLIENT_ID = 'client-abc';
const expect_ = { clientID: CLIENT_ID, clockTolerance: 60 };

function check(claims: Record<string, unknown>, options: Partial<typeof expect_ & { issuer: string }> = {}) {
  return validateIdToken(fakeIdToken(idTokenClaims(CLIENT_ID, claims)), { ...expect_, ...options });
}

function failure(run: () => unknown): IdTokenError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IdTokenError);
    return error as IdTokenError;
  }
  throw new Error('expected an IdTokenError');
}

describe('validateIdToken', () => {
  it('returns the claims and the raw payload of a valid token', () => {
    const { claims, raw } = check({});
    expect(claims.sub).toBe('user-42');
    expect(JSON.parse(raw)).toEqual(claims);
  });

  it.each([
    ['missing', undefined],
    ['missing', ''],
    ['format', 'not-a-jwt'],
    ['format', 'a.b'],
    ['format', 'a.b.c.d'],
    ['format', '!!!.???.sig'],
    ['format', `${Buffer.from('{"alg":"none"}').toString('base64url')}.bm90IGpzb24.sig`],
    ['format', `${Buffer.from('[1]').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.sig`],
    ['format', 42],
  ])('rejects %s token %j', (checkName, token) => {
    const error = failure(() => validateIdToken(token, expect_));
    expect(error.check).toBe(checkName);
    expect(error.code).toBe('invalid_id_token');
  });

  it.each([
    ['sub', { sub: '' }, /subject/],
    ['sub', { sub: 7 }, /subject/],
    ['aud', { aud: 'other' }, /audience/],
    ['aud', { aud: ['other', 'another'] }, /audience/],
    ['azp', { aud: [CLIENT_ID, 'other'] }, /several audiences/],
    ['azp', { aud: [CLIENT_ID, 'other'], azp: 'other' }, /authorized party/],
    ['exp', { exp: undefined }, /expiry/],
    ['exp', { exp: Math.floor(Date.now() / 1000) - 61 }, /expired/],
    ['iat', { iat: '1700000000' }, /issue time/],
    ['iat', { iat: Math.floor(Date.now() / 1000) + 120 }, /future/],
  ])('fails the %s check for %j', (checkName, claims, message) => {
    const error = failure(() => check(claims));
    expect(error.check).toBe(checkName);
    expect(error.message).toMatch(message);
  });

  it('accepts several audiences when azp names this client', () => {
    expect(check({ aud: [CLIENT_ID, 'other'], azp: CLIENT_ID }).claims.azp).toBe(CLIENT_ID);
  });

  it('tolerates skew up to clockTolerance', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(() => check({ exp: now - 30, iat: now + 30 })).not.toThrow();
    expect(failure(() => check({ exp: now - 30 }, { clockTolerance: 0 })).check).toBe('exp');
  });

  it('checks iss only when an issuer is expected', () => {
    expect(() => check({ iss: 'https://evil.example' })).not.toThrow();
    expect(
      failure(() => check({ iss: 'https://evil.example' }, { issuer: 'https://apis.justlogin.com/v1/auth' })).check,
    ).toBe('iss');
    expect(failure(() => check({ iss: undefined }, { issuer: 'https://apis.justlogin.com/v1/auth' })).check).toBe(
      'iss',
    );
  });
});
