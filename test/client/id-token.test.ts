import { inspect } from 'node:util';
import { IdTokenError } from '../../lib';
import { validateIdToken } from '../../lib/client/id-token';
import { fakeIdToken, idTokenClaims } from '../support/id-token';

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
    expect(error.code).toBe('EBADIDTOKEN');
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

describe('nbf', () => {
  const now = 1_700_000_000;
  const at = (claims: Record<string, unknown>, clockTolerance = 60) =>
    validateIdToken(fakeIdToken(idTokenClaims(CLIENT_ID, { iat: now - 10, exp: now + 300, ...claims })), {
      clientID: CLIENT_ID,
      clockTolerance,
      now: now * 1000,
    });

  it('refuses a token not valid before a time beyond the clock tolerance', () => {
    const error = failure(() => at({ nbf: now + 61 }));
    expect(error.check).toBe('nbf');
    expect(error.message).toMatch(/not valid yet/);
  });

  it('accepts nbf within the clock tolerance, and a token without nbf', () => {
    expect(() => at({ nbf: now + 60 })).not.toThrow();
    expect(() => at({ nbf: now })).not.toThrow();
    expect(() => at({ nbf: undefined })).not.toThrow();
    expect(failure(() => at({ nbf: now + 1 }, 0)).check).toBe('nbf');
  });

  it.each([['1700000000'], [null], [true], [[now]]])('refuses a non-numeric nbf %j', (nbf) => {
    expect(failure(() => at({ nbf })).check).toBe('nbf');
  });
});

describe('crit', () => {
  it.each([
    ['an extension', { alg: 'RS256', crit: ['exp'], exp: 1 }],
    ['b64', { alg: 'RS256', crit: ['b64'], b64: false }],
    ['an empty list', { alg: 'RS256', crit: [] }],
    ['a string', { alg: 'RS256', crit: 'x' }],
  ])('refuses a header whose crit names %s, with signature checks off', (_case, header) => {
    const error = failure(() => validateIdToken(fakeIdToken(idTokenClaims(CLIENT_ID), header), expect_));
    expect(error.check).toBe('crit');
    expect(error.message).toMatch(/crit/);
  });

  it('still refuses alg none', () => {
    for (const alg of ['none', 'None', 'NONE']) {
      expect(failure(() => validateIdToken(fakeIdToken(idTokenClaims(CLIENT_ID), { alg }), expect_)).check).toBe(
        'signature',
      );
    }
    expect(failure(() => validateIdToken(fakeIdToken(idTokenClaims(CLIENT_ID), {}), expect_)).check).toBe('signature');
  });
});

describe('claim checks', () => {
  const now = 1_700_000_000;
  const at = (claims: Record<string, unknown>, options: { clockTolerance?: number; issuer?: string } = {}) =>
    validateIdToken(fakeIdToken(idTokenClaims(CLIENT_ID, { iat: now - 10, exp: now + 300, nbf: now, ...claims })), {
      clientID: CLIENT_ID,
      clockTolerance: options.clockTolerance ?? 60,
      issuer: options.issuer,
      now: now * 1000,
    });

  it.each([
    ['sub', /no subject/],
    ['aud', /no audience/],
    ['exp', /no numeric expiry/],
    ['iat', /no numeric issue time/],
  ])('names a missing required claim %s', (claim, message) => {
    const error = failure(() => at({ [claim]: undefined }));
    expect(error.check).toBe(claim);
    expect(error.message).toMatch(message);
  });

  it('names a missing iss when an issuer is expected', () => {
    const error = failure(() => at({ iss: undefined }, { issuer: 'https://apis.justlogin.com/v1/auth' }));
    expect(error.check).toBe('iss');
  });

  it('applies clockTolerance at its very bounds on exp, iat and nbf', () => {
    const tolerance = 45;
    expect(() => at({ exp: now - tolerance + 1 }, { clockTolerance: tolerance })).not.toThrow();
    expect(failure(() => at({ exp: now - tolerance }, { clockTolerance: tolerance })).check).toBe('exp');
    expect(() => at({ iat: now + tolerance }, { clockTolerance: tolerance })).not.toThrow();
    expect(failure(() => at({ iat: now + tolerance + 1 }, { clockTolerance: tolerance })).check).toBe('iat');
    expect(() => at({ nbf: now + tolerance }, { clockTolerance: tolerance })).not.toThrow();
    expect(failure(() => at({ nbf: now + tolerance + 1 }, { clockTolerance: tolerance })).check).toBe('nbf');
    expect(failure(() => at({ exp: now }, { clockTolerance: 0 })).check).toBe('exp');
    expect(failure(() => at({ iat: now + 1 }, { clockTolerance: 0 })).check).toBe('iat');
  });

  it('reports header problems before claim problems, as before', () => {
    const expired = idTokenClaims(CLIENT_ID, { exp: now - 3600 });
    const check = (header: Record<string, unknown>) =>
      failure(() => validateIdToken(fakeIdToken(expired, header), { clientID: CLIENT_ID, clockTolerance: 60 })).check;
    expect(check({ alg: 'none' })).toBe('signature');
    expect(check({ alg: 'RS256', crit: ['exp'] })).toBe('crit');
    expect(check({ alg: 'RS256' })).toBe('exp');
  });

  it.each([
    ['aud', { aud: 'someone-else-Zq8' }],
    ['exp', { exp: now - 3600 }],
    ['iat', { iat: now + 3600 }],
    ['nbf', { nbf: now + 3600 }],
    ['iss', { iss: 'https://evil.example/Zq8' }],
    ['sub', { sub: '' }],
  ])('keeps token contents out of a failed %s check', (claim, claims) => {
    const error = failure(() =>
      at({ email: 'secret-mail-Zq8@acme.example', ...claims }, { issuer: 'https://apis.justlogin.com/v1/auth' }),
    );
    expect(error.check).toBe(claim);
    const shown = inspect(error, { depth: Infinity, showHidden: true });
    expect(shown).not.toMatch(/Zq8|secret-mail|alice/);
    expect(Object.keys(error)).not.toEqual(expect.arrayContaining(['payload']));
    expect(error.cause).toBeUndefined();
  });
});
