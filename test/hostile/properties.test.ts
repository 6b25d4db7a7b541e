import fc from 'fast-check';
import request from 'supertest';
import { JustLoginRequestError, JustLoginTokenError } from '../../lib';
import { parseTokenResponse } from '../../lib/client/token-endpoint';
import { redact } from '../../lib/redact';
import { makeApp } from '../support/app';
import { Harness } from './harness';

// Arbitrary input never escapes as an unexpected exception and never signs
// anyone in without a valid code exchange.

let harness: Harness;
beforeAll(async () => {
  harness = await Harness.start();
});
afterAll(() => harness.stop());

const queryKey = fc.oneof(
  fc.constantFrom('code', 'state', 'error', 'error_description', 'error_uri', 'session_state', 'iss', 'nonce'),
  fc.string({ maxLength: 12 }),
);
const queryValue = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.constant(''),
);
const queryString = fc
  .array(fc.tuple(queryKey, queryValue), { maxLength: 8 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));

it('the callback answers arbitrary query strings without crashing or signing anyone in', async () => {
  const app = makeApp(harness.strategy());
  const agent = request.agent(app);
  await fc.assert(
    fc.asyncProperty(queryString, fc.boolean(), async (query, begin) => {
      if (begin) await agent.get('/login');
      const res = await agent.get(`/callback?${query}`);
      expect([200, 302, 400, 401, 403, 500]).toContain(res.status);
      expect(res.body?.user).toBeUndefined();
    }),
    { numRuns: 150 },
  );
  expect(harness.tokenRequests()).toBeLessThanOrEqual(150);
  await request(app).get('/login').expect(302);
});

it('the token response parser turns any body into a token response or a JustLogin error', () => {
  const body = fc.oneof(
    fc.string(),
    fc.json(),
    fc.jsonValue().map((value) => JSON.stringify(value)),
    fc
      .record({
        access_token: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
        token_type: fc.oneof(fc.constantFrom('Bearer', 'bearer', 'mac', ''), fc.string(), fc.constant(null)),
        refresh_token: fc.oneof(fc.string(), fc.object(), fc.constant(undefined)),
        id_token: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
        error: fc.oneof(fc.string(), fc.constant(undefined)),
      })
      .map((value) => JSON.stringify(value)),
  );
  fc.assert(
    fc.property(fc.integer({ min: 100, max: 599 }), body, (status, text) => {
      try {
        const response = parseTokenResponse(status, text);
        expect(status >= 200 && status < 300).toBe(true);
        expect(typeof response.access_token).toBe('string');
        expect(response.access_token.length).toBeGreaterThan(0);
        expect(response.token_type.toLowerCase()).toBe('bearer');
      } catch (error) {
        expect(error instanceof JustLoginTokenError || error instanceof JustLoginRequestError).toBe(true);
      }
    }),
    { numRuns: 2000 },
  );
});

it('the token response parser accepts only tokens made of VSCHAR (%x20-7E)', () => {
  const token = fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: 'binary', minLength: 1 }));
  fc.assert(
    fc.property(token, token, token, (access, refresh, id) => {
      const text = JSON.stringify({ access_token: access, token_type: 'Bearer', refresh_token: refresh, id_token: id });
      const visible = (value: string) => /^[\x20-\x7e]+$/.test(value);
      try {
        parseTokenResponse(200, text);
        expect([access, refresh, id].every(visible)).toBe(true);
      } catch (error) {
        expect(error).toMatchObject({ name: 'JustLoginRequestError', code: 'EBADRESPONSE' });
        expect([access, refresh, id].every(visible)).toBe(false);
      }
    }),
    { numRuns: 1000 },
  );
});

it('redaction removes a secret in any of its encodings, wherever it sits', () => {
  const secret = fc.oneof(fc.string({ minLength: 8, maxLength: 40 }), fc.string({ unit: 'binary', minLength: 8 }));
  const encode = fc.constantFrom(
    (s: string) => s,
    (s: string) => encodeURIComponent(s),
    (s: string) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
    (s: string) => new URLSearchParams({ s }).toString().slice(2),
    (s: string) => JSON.stringify(s).slice(1, -1),
    (s: string) => JSON.stringify(s).slice(1, -1).replace(/\//g, '\\/'),
  );
  fc.assert(
    fc.property(secret, encode, fc.string(), fc.string(), (value, encoding, before, after) => {
      const form = encoding(value);
      const out = redact(`${before}${form}${after}`, [value]);
      expect(out).toContain('[redacted]');
      expect(out).not.toContain(form);
    }),
    { numRuns: 2000 },
  );
});
