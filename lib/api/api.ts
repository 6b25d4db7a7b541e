// JustLoginApi: JustLogin's documented API, called with a user's tokens, renewed by themselves.
import { clientOperations, clientRule } from '../client/client';
import { JustLoginApiError, JustLoginOptionsError } from '../errors';
import { readOptions, rules, type OptionRule, type OptionSpec } from '../client/options';
import { SKEW_MS, type JustLoginRefresher } from '../renewal/refresher';
import { identityOf } from '../access-token';
import type { JustLoginTokenSet } from '../token-set';
import { BearerTokens, type OnTokens } from './bearer';
import { callApi, type ApiAnswer, type ApiCall, type ApiTarget } from './call';
import { JustLoginEmployees } from './employees';
import { JustLoginLeave } from './leave';
import { parsePagination } from './paging';
import { checkParams, checkPath, queryString, type QueryValue } from './params';
import { JustLoginPayroll } from './payroll';
import type { SignedInUser } from './signed-in-user';
import type { JustLoginApiResponse } from './types';

/**
 * A user's tokens and how to renew them.
 *
 * @group API
 */
export interface JustLoginApiOptions {
  /** Renews the tokens; its client gives the base URL (the `environment` or `baseURL` of sign-in), transport and timeout. */
  refresher: JustLoginRefresher;
  /** The signed-in user's tokens. */
  tokens: JustLoginTokenSet;
  /**
   * Called with the renewed tokens after every renewal, once, and awaited
   * before the call that needed them goes on: store them (e.g. in the
   * session), or the next request renews the spent refresh token again. When
   * it throws, the call rejects with its error and the tokens stay as they
   * were (the refresher's grace window gives the same renewed tokens to the
   * next call).
   */
  onTokens?: OnTokens;
  /**
   * The signed-in user's GUIDs, for an opaque access token; by default they are read from the access
   * token (its `UserGUID` and `CompanyGUID`), and calls that name no employee are about that user.
   */
  identity?: JustLoginApiIdentity;
  /** Renew before a call when the access token expires within this many milliseconds; default 60000, as `ensureFresh`. */
  skewMs?: number;
}

/**
 * The signed-in user's GUIDs in JustLogin's API.
 *
 * @group API
 */
export interface JustLoginApiIdentity {
  /** The user's GUID (the access token's `UserGUID`). */
  userGuid?: string;
  /** The user's company's GUID (the access token's `CompanyGUID`). */
  companyGuid?: string;
}

/**
 * Where a request's tokens are, for {@link JustLoginApi.perRequest}.
 *
 * @group API
 */
export interface JustLoginApiPerRequestOptions<Req extends object> {
  /** The request's JustLogin tokens, or `undefined` when it has none (signed out). */
  get: (req: Req) => JustLoginTokenSet | undefined;
  /** Stores renewed tokens for the request and wherever they persist (e.g. the session); awaited before the call goes on. */
  set: (req: Req, tokens: JustLoginTokenSet) => void | Promise<void>;
  /**
   * The signed-in user's GUIDs for the request, for opaque access tokens (e.g. `(req) => req.user.profile`:
   * the profile has `userGuid` and `companyGuid`); as {@link JustLoginApiOptions.identity}.
   */
  identity?: (req: Req) => JustLoginApiIdentity | undefined;
  /** As {@link JustLoginApiOptions.skewMs}. */
  skewMs?: number;
}

/**
 * Options of {@link JustLoginApi.request}.
 *
 * @group API
 */
export interface JustLoginApiRequestOptions {
  /** Query parameters, percent-encoded; `undefined` ones are left out. */
  query?: Record<string, QueryValue>;
  /** A body for a POST, sent as JSON. */
  body?: unknown;
}

const refresherRule: OptionRule = (value, options) =>
  (rules.withMethods('refresh', 'ensureFresh')(value, options) ??
  clientRule((value as { client?: unknown }).client, options))
    ? 'must be a JustLoginRefresher (`new JustLoginRefresher(…)` or `JustLoginRefresher.fromStrategy(strategy)`)'
    : undefined;

const tokensRule: OptionRule = (value) =>
  typeof (value as Partial<JustLoginTokenSet> | null)?.accessToken === 'string' &&
  (value as JustLoginTokenSet).accessToken !== ''
    ? undefined
    : 'must be a JustLoginTokenSet with an accessToken (see toTokenSet)';

const API_OPTIONS = {
  refresher: { rule: refresherRule, required: true },
  tokens: { rule: tokensRule, required: true },
  onTokens: { rule: rules.func },
  identity: { rule: rules.object },
  skewMs: SKEW_MS,
} satisfies Record<keyof JustLoginApiOptions, OptionSpec>;

/** The API client's settings: its options as read. */
interface ApiSettings {
  readonly refresher: JustLoginRefresher;
  readonly tokens: JustLoginTokenSet;
  readonly onTokens?: OnTokens;
  readonly identity?: JustLoginApiIdentity;
  readonly skewMs: number;
}

const PER_REQUEST_OPTIONS = {
  refresher: API_OPTIONS.refresher,
  get: { rule: rules.func, required: true },
  set: { rule: rules.func, required: true },
  identity: { rule: rules.func },
  skewMs: SKEW_MS,
} satisfies Record<keyof JustLoginApiPerRequestOptions<object> | 'refresher', OptionSpec>;

/**
 * JustLogin's API, called with one user's tokens. It renews them through
 * `refresher` before a call when they are due and once after a 401, awaiting
 * `onTokens` once per renewal; GETs are retried on 429, 502–504 and failed
 * connections; failures reject with a `JustLoginApiError` that never holds a
 * response body or a token. The guide "Calling JustLogin's API" (docs/api.md)
 * tells the whole of it.
 *
 * @example
 * const api = new JustLoginApi({
 *   refresher,
 *   tokens: req.user.tokens,
 *   onTokens: async (tokens) => { req.user.tokens = tokens; },
 * });
 * for await (const employee of api.employees.list({ include: ['department'] })) {
 *   console.log(employee.fullName, employee.department?.name);
 * }
 *
 * @group API
 */
export class JustLoginApi {
  /** The users API (v3): the employees of the signed-in user's company. */
  readonly employees: JustLoginEmployees;
  /** The payroll module (v1): pay set-up and bank account. */
  readonly payroll: JustLoginPayroll;
  /** The leave module (v2): assigned leave types and summaries. */
  readonly leave: JustLoginLeave;
  readonly #bearer: BearerTokens;
  readonly #target: ApiTarget;

  /**
   * Throws a `JustLoginOptionsError` listing every option that
   * is missing, unknown or invalid.
   *
   * @example
   * const api = new JustLoginApi({ refresher, tokens, onTokens: (next) => save(next) });
   */
  constructor(options: JustLoginApiOptions) {
    const { refresher, tokens, onTokens, identity, skewMs } = readOptions<ApiSettings>(
      'JustLoginApi',
      options,
      API_OPTIONS,
    );
    const { client } = refresher;
    this.#target = {
      baseURL: client.baseURL,
      transport: clientOperations(client).transport(),
      timeout: client.timeout,
    };
    this.#bearer = new BearerTokens(refresher, tokens, onTokens, skewMs);
    const call = (apiCall: ApiCall): Promise<ApiAnswer> => callApi(this.#target, this.#bearer, apiCall);
    const signedIn: SignedInUser = () => {
      const own = identityOf(this.#bearer.current);
      return {
        userGuid: identity?.userGuid ?? own?.userGuid,
        companyGuid: identity?.companyGuid ?? own?.companyGuid,
      };
    };
    this.employees = new JustLoginEmployees(call, signedIn);
    this.payroll = new JustLoginPayroll(call, signedIn);
    this.leave = new JustLoginLeave(call, signedIn);
  }

  /**
   * A function that gives each request its own client, bound to the tokens
   * `get` reads from it, and that stores renewed tokens with `set` (the
   * `onTokens` of that client). One client a request: the calls of one
   * request share their renewals, and requests of the same user renew once
   * through the refresher. For a request without tokens it throws a
   * `JustLoginApiError` (`ENOTOKENS`, `reauthenticate: true`). Throws a
   * `JustLoginOptionsError` at once for bad options.
   *
   * @example
   * const justLogin = JustLoginApi.perRequest(refresher, {
   *   get: (req) => req.session.justlogin,
   *   set: (req, tokens) => { req.session.justlogin = tokens; },
   * });
   * app.get('/people', async (req, res) => {
   *   const { items } = await justLogin(req).employees.listPage({ include: ['department'] });
   *   res.render('people', { people: items });
   * });
   */
  static perRequest<Req extends object>(
    refresher: JustLoginRefresher,
    options: JustLoginApiPerRequestOptions<Req>,
  ): (req: Req) => JustLoginApi {
    const { get, set, identity, skewMs } = readOptions<JustLoginApiPerRequestOptions<Req>>(
      'JustLoginApi.perRequest',
      { refresher, ...options },
      PER_REQUEST_OPTIONS,
    );
    const clients = new WeakMap<Req, JustLoginApi>();
    return (req) => {
      let api = clients.get(req);
      if (!api) {
        const tokens = get(req);
        if (!tokens) {
          throw new JustLoginApiError(
            'The request has no JustLogin tokens; the user must sign in with JustLogin',
            'ENOTOKENS',
            { retryable: false, reauthenticate: true },
          );
        }
        const { userGuid, companyGuid } = identity?.(req) ?? {};
        api = new JustLoginApi({
          refresher,
          tokens,
          skewMs,
          identity: { userGuid, companyGuid },
          onTokens: (next) => set(req, next),
        });
        clients.set(req, api);
      }
      return api;
    };
  }

  /** The current tokens: those given, or the latest renewed ones. Do not modify them. */
  get tokens(): JustLoginTokenSet {
    return this.#bearer.current;
  }

  /**
   * Calls any other endpoint of JustLogin's API, with the same renewal,
   * retries and errors. `path` is checked (segments of letters, digits and
   * `-_~.,;=@:`, no `.` or `..`, no `%`); the query goes in `query`. Resolves
   * to the parsed JSON body, the paging state when `x-pagination` was sent,
   * and the status.
   *
   * @example
   * const { data, pagination } = await api.request('GET', '/membership/v3/users', { query: { limit: 10 } });
   */
  async request<T = unknown>(
    method: 'GET' | 'POST',
    path: string,
    options: JustLoginApiRequestOptions = {},
  ): Promise<JustLoginApiResponse<T>> {
    if (method !== 'GET' && method !== 'POST') {
      throw new JustLoginOptionsError('JustLoginApi.request', ["`method` must be 'GET' or 'POST'"]);
    }
    checkParams('request', options, { query: rules.object, body: rules.any });
    if (method === 'GET' && options.body !== undefined) {
      throw new JustLoginOptionsError('JustLoginApi.request', ['`body` is only sent with POST']);
    }
    const what = `request ${method}`;
    const answer = await callApi(this.#target, this.#bearer, {
      what,
      method,
      path: checkPath(path),
      query: queryString('request', options.query ?? {}),
      body: options.body === undefined ? undefined : jsonOf(options.body),
    });
    const pagination = parsePagination(answer.headers['x-pagination'], what);
    return { data: answer.data as T, status: answer.status, ...(pagination && { pagination }) };
  }
}

/** `body` as JSON, or a `JustLoginOptionsError` when it has none (a function, a cycle, a BigInt). */
function jsonOf(body: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new JustLoginOptionsError('JustLoginApi.request', ['`body` must be JSON-serialisable']);
  return json;
}
