import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IdTokenClaims } from '../../lib';
import { parseProfile } from '../../lib/sign-in/profile';

function fixture(name: string): { claims: IdTokenClaims; raw: string } {
  const raw = readFileSync(join(__dirname, '..', 'fixtures', `${name}.json`), 'utf8');
  return { claims: JSON.parse(raw) as IdTokenClaims, raw };
}

describe('parseProfile', () => {
  it('maps the standard OpenID Connect claims', () => {
    const { claims, raw } = fixture('claims-oidc');
    expect(parseProfile(claims, raw)).toEqual({
      provider: 'justlogin',
      id: '5b1c7f52-2f0e-4d38-9a51-7d1f0a1e2b3c',
      displayName: 'Alice Tan',
      username: 'alice',
      emails: [{ value: 'alice@acme.example' }],
      _json: claims,
      _raw: raw,
    });
  });

  it('falls back to JustLogin-style claim names', () => {
    const { claims, raw } = fixture('claims-justlogin');
    const profile = parseProfile(claims, raw);
    expect(profile).toMatchObject({
      id: '88213',
      displayName: 'Bob Lim',
      username: 'bob.lim',
      emails: [{ value: 'bob.lim@globex.example', type: 'work' }],
    });
    expect(profile._json.CompanyGUID).toBe('0f6f4d55-8d71-4c3c-b7a2-4a3a0b9a1d11');
    expect(profile._json.CompanyName).toBe('Globex Pte Ltd');
  });

  it('lists email and a different WorkEmail once each', () => {
    const { claims, raw } = fixture('claims-oidc');
    const both = parseProfile({ ...claims, WorkEmail: 'alice@work.example' }, raw);
    expect(both.emails).toEqual([{ value: 'alice@acme.example' }, { value: 'alice@work.example', type: 'work' }]);
    const same = parseProfile({ ...claims, WorkEmail: 'alice@acme.example' }, raw);
    expect(same.emails).toEqual([{ value: 'alice@acme.example' }]);
  });

  it('requires none of the optional claims', () => {
    const { claims, raw } = fixture('claims-minimal');
    expect(parseProfile(claims, raw)).toEqual({ provider: 'justlogin', id: 'user-7', _json: claims, _raw: raw });
  });

  it('ignores claims of the wrong type or blank', () => {
    const { claims, raw } = fixture('claims-minimal');
    const odd = { ...claims, name: '  ', preferred_username: 42, email: { value: 'x' } } as unknown as IdTokenClaims;
    const profile = parseProfile(odd, raw);
    expect(profile.displayName).toBeUndefined();
    expect(profile.username).toBe('42');
    expect(profile.emails).toBeUndefined();
  });
});
