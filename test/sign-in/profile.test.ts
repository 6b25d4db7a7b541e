import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IdTokenClaims } from '../../lib';
import type { AccessTokenClaims } from '../../lib/access-token';
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
      roles: [],
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
    expect(parseProfile(claims, raw)).toEqual({
      provider: 'justlogin',
      id: 'user-7',
      roles: [],
      _json: claims,
      _raw: raw,
    });
  });

  it('ignores claims of the wrong type or blank', () => {
    const { claims, raw } = fixture('claims-minimal');
    const odd = { ...claims, name: '  ', preferred_username: 42, email: { value: 'x' } } as unknown as IdTokenClaims;
    const profile = parseProfile(odd, raw);
    expect(profile.displayName).toBeUndefined();
    expect(profile.username).toBe('42');
    expect(profile.emails).toBeUndefined();
  });

  describe("with the access token's claims (IdentityServer's default: an id_token of protocol claims only)", () => {
    const access = JSON.parse(
      readFileSync(join(__dirname, '..', 'fixtures', 'access-token-justlogin.json'), 'utf8'),
    ) as AccessTokenClaims;

    it("takes JustLogin's identity, name, username and work email from the access token", () => {
      const { claims, raw } = fixture('claims-minimal');
      expect(parseProfile(claims, raw, access)).toEqual({
        provider: 'justlogin',
        id: 'user-7',
        displayName: 'Alice Tan',
        username: 'alice',
        emails: [{ value: 'alice@acme.example', type: 'work' }],
        userGuid: '7D3C2B1A0F9E8D7C6B5A493827160504',
        companyGuid: '0BF91817E2E64B0C92F22FD24A9D4604',
        companyId: 'ACME',
        companyName: 'Acme Pte Ltd',
        countryCode: 'SG',
        roles: ['Employee', 'Manager'],
        _json: claims,
        _raw: raw,
        _accessTokenClaims: access,
      });
    });

    it("prefers the id_token's claims, field by field", () => {
      const { claims, raw } = fixture('claims-justlogin');
      const profile = parseProfile(claims, raw, { ...access, sub: '88213', role: 'Employee' });
      expect(profile).toMatchObject({
        displayName: 'Bob Lim',
        username: 'bob.lim',
        companyGuid: '0f6f4d55-8d71-4c3c-b7a2-4a3a0b9a1d11',
        companyId: '1042',
        companyName: 'Globex Pte Ltd',
        userGuid: '7D3C2B1A0F9E8D7C6B5A493827160504',
        roles: ['Employee'],
      });
    });

    it('reads one role as a string, several as an array, and ignores roles that are not text', () => {
      const { claims, raw } = fixture('claims-minimal');
      expect(parseProfile(claims, raw, { ...access, role: 'Admin' }).roles).toEqual(['Admin']);
      const odd = { ...access, role: ['HR', 7, null, { a: 1 }, ' '] } as unknown as AccessTokenClaims;
      expect(parseProfile(claims, raw, odd).roles).toEqual(['HR', '7']);
      expect(parseProfile(claims, raw, { ...access, role: undefined }).roles).toEqual([]);
    });

    it('keeps a claim named __proto__ as data, never as the prototype', () => {
      const { claims, raw } = fixture('claims-minimal');
      const hostile = JSON.parse('{"sub":"user-7","__proto__":{"polluted":true},"UserGUID":"A"}') as AccessTokenClaims;
      const profile = parseProfile(claims, raw, hostile);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((profile as unknown as Record<string, unknown>).polluted).toBeUndefined();
      expect(profile.userGuid).toBe('A');
    });
  });
});
