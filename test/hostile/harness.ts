import * as http from 'node:http';
import * as net from 'node:net';
import request from 'supertest';
import {
  JustLoginRefresher,
  JustLoginStrategy,
  type JustLoginStrategyOptions,
  type JustLoginTokenSet,
} from '../../lib';
import { makeApp } from '../support/app';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { signingKey, type SigningKey } from '../support/keys';
import { TokenServer, tokenResponse, type Reply } from '../support/token-server';

export const CLIENT_ID = 'hostile-client';
// Each holds characters that percent-, form- and JSON-encoding change, so an echo in any encoding shows.
export const CLIENT_SECRET = 'hostile-client-secret-9f2c+/=~ "x"';
export const ACCESS_TOKEN = 'hostile-access-token-7d1e+/=';
export const REFRESH_TOKEN = 'hostile-refresh-token-3a8b+/=';

/** Every form in which a secret could be echoed back: raw, percent- and form-encoded in both hex cases, JSON-escaped. */
export function secretForms(): string[] {
  const lower = (text: string) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
  return [CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN].flatMap((secret) => {
    const percent = encodeURIComponent(secret);
    const form = new URLSearchParams({ s: secret }).toString().slice(2);
    const json = JSON.stringify(secret).slice(1, -1);
    return [secret, percent, lower(percent), form, lower(form), json, json.replace(/\//g, '\\/')];
  });
}

/** What came out of one hostile case, as the app and its user would see it. */
export interface Outcome {
  /** `success` only when the verify callback's user reached the route. */
  kind: 'success' | 'failure' | 'error' | 'rejected';
  status?: number;
  location?: string;
  error?: { name?: string; code?: string; message?: string; check?: string; retryable?: boolean };
  /** Everything the client or a log could see: body, headers, error message, console output. */
  visible: string;
  /** Requests that reached the token endpoint (not the JWKS). */
  tokenRequests: number;
}

/** A JustLogin stand-in, a strategy and an app, as a hostile case needs them. */
export class Harness {
  server!: TokenServer;
  key!: SigningKey;
  /** The nonce of the last authorization request. */
  nonce: string | null = null;
  readonly usedCodes = new Set<string>();
  readonly #servers: http.Server[] = [];

  static async start(): Promise<Harness> {
    const harness = new Harness();
    harness.server = await TokenServer.start();
    harness.key = await signingKey('jl-key');
    harness.reply(() => ({ body: harness.goodResponse() }));
    return harness;
  }

  async stop(): Promise<void> {
    for (const server of this.#servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await this.server.stop();
  }

  /** A JWKS endpoint on 127.0.0.1 answering with `handler` (for faults the token server cannot play); returns its URL. */
  async jwksEndpoint(handler: http.RequestListener): Promise<string> {
    const server = http.createServer(handler);
    this.#servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/jwks`;
  }

  /** Token requests answer `reply`; the JWKS always answers JustLogin's key; a code works once. */
  reply(reply: Reply | ((form: Record<string, string>) => Reply | Promise<Reply>)): void {
    this.server.reply(async (recorded) => {
      if (recorded.url.endsWith('/jwks')) return { body: { keys: [this.key.jwk] } };
      const code = recorded.form.code;
      if (code && this.usedCodes.has(code)) return { status: 400, body: { error: 'invalid_grant' } };
      if (code) this.usedCodes.add(code);
      return typeof reply === 'function' ? reply(recorded.form) : reply;
    });
  }

  claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return idTokenClaims(CLIENT_ID, { nonce: this.nonce, ...overrides });
  }

  goodResponse(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return tokenResponse({
      access_token: ACCESS_TOKEN,
      refresh_token: REFRESH_TOKEN,
      id_token: fakeIdToken(this.claims()),
      ...overrides,
    });
  }

  strategy(overrides: Partial<JustLoginStrategyOptions> = {}): JustLoginStrategy {
    return new JustLoginStrategy(
      {
        clientID: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        callbackURL: 'http://app.test/callback',
        baseURL: this.server.origin,
        timeout: 1000,
        ...overrides,
      },
      (_at, _rt, _params, profile, done) => done(null, { id: profile.id }),
    );
  }

  /** A cookie-keeping client of a fresh app; `begin()` starts a sign-in and returns its state. */
  client(strategy: JustLoginStrategy = this.strategy()) {
    const agent = request.agent(makeApp(strategy));
    const begin = async () => {
      const login = await agent.get('/login');
      const query = new URL(login.headers.location).searchParams;
      this.nonce = query.get('nonce');
      return query.get('state') ?? '';
    };
    return { agent, begin };
  }

  /** Starts a sign-in and returns to the callback with `code` and the right state. */
  async signIn(code = `code-${Math.random()}`, strategy?: JustLoginStrategy) {
    const { agent, begin } = this.client(strategy);
    const state = await begin();
    return agent.get(`/callback?code=${encodeURIComponent(code)}&state=${state}`);
  }

  /** Reads a callback response as an outcome. */
  outcome(res: request.Response, logs: string): Outcome {
    const body = res.body as { user?: unknown; error?: Outcome['error'] };
    const kind =
      res.status === 200 && body.user
        ? 'success'
        : res.status === 302 && res.headers.location === '/failed'
          ? 'failure'
          : res.status >= 500
            ? 'error'
            : 'failure';
    return {
      kind,
      status: res.status,
      location: res.headers.location,
      error: body.error,
      visible: [res.text, JSON.stringify(res.headers), logs].join('\n'),
      tokenRequests: this.tokenRequests(),
    };
  }

  tokenRequests(): number {
    return this.server.requests.filter((r) => !r.url.endsWith('/jwks')).length;
  }

  /** Refreshes frozen tokens; the outcome says how it failed and whether the tokens changed. */
  async refresh(
    tokenURL = this.server.url,
    overrides: Partial<JustLoginTokenSet> = {},
  ): Promise<Outcome & { tokensUntouched: boolean }> {
    const tokens: JustLoginTokenSet = Object.freeze({
      accessToken: ACCESS_TOKEN,
      refreshToken: REFRESH_TOKEN,
      tokenType: 'Bearer',
      expiresAt: 0,
      ...overrides,
    });
    const copy = JSON.stringify(tokens);
    const refresher = new JustLoginRefresher({
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      tokenURL,
      timeout: 300,
    });
    try {
      const next = await refresher.ensureFresh(tokens);
      return {
        kind: 'success',
        visible: JSON.stringify(next),
        tokenRequests: this.tokenRequests(),
        tokensUntouched: true,
      };
    } catch (caught) {
      const error = caught as Outcome['error'] & Error;
      return {
        kind: 'rejected',
        error: { name: error.name, code: error.code, message: error.message, retryable: error.retryable },
        visible: `${error.message}\n${String(error.stack)}`,
        tokenRequests: this.tokenRequests(),
        tokensUntouched: JSON.stringify(tokens) === copy,
      };
    }
  }
}

/** A URL on 127.0.0.1 where nothing listens. */
export async function deadURL(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/v1/auth/connect/token`;
}
