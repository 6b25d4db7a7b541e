// JustLoginApi on the wire: a local server on 127.0.0.1 plays both JustLogin's token endpoint and
// its API, and records what the client sent.
import { inspect } from 'node:util';
import {
  JustLoginApi,
  JustLoginApiError,
  JustLoginClient,
  JustLoginOptionsError,
  JustLoginRefresher,
  JustLoginError,
  type JustLoginApiOptions,
  type JustLoginTokenSet,
} from '../../lib';
import { MAX_PAGES, walkPages } from '../../lib/api/paging';
import { retryClock } from '../../lib/api/retry';
import { TokenServer, tokenResponse, type RecordedRequest, type Reply } from '../support/token-server';
import { seeGuide } from '../support/guide';

const CLIENT_SECRET = 'client-secret-4Vb9Qx';
const ACCESS_TOKEN = 'access-token-first-8Jd2';
const REFRESH_TOKEN = 'refresh-token-first-3Kw7';
const USER = '0BF91817E2E64B0C92F22FD24A9D4604';
const COMPANY = '5A1C3E0D9B7F4A2E8C6D1B3F5E7A9C0D';
const TOKEN_PATH = '/v1/auth/connect/token';
/** What a body of JustLogin's API may hold: it must never reach an error or a log. */
const PII = 'PASSPORT-K1234567-ACCOUNT-0099887766';

let server: TokenServer;
let client: JustLoginClient;
let apiReply: (request: RecordedRequest) => Reply | Promise<Reply>;
let renewals: number;
let waits: number[];

const nowSeconds = () => Math.floor(Date.now() / 1000);
const apiRequests = () => server.requests.filter((request) => !request.url.startsWith(TOKEN_PATH));
const tokenRequests = () => server.requests.filter((request) => request.url.startsWith(TOKEN_PATH));
const pagination = (page: number, totalPages: number, pageSize = 2, totalCount = totalPages * pageSize) =>
  JSON.stringify({
    TotalCount: totalCount,
    PageSize: pageSize,
    CurrentPage: page,
    TotalPages: totalPages,
    HasNext: page < totalPages,
    HasPrevious: page > 1,
  });
const employee = (n: number) => ({ userGuid: USER, fullName: `Employee ${n}`, employeeId: `E${n}`, isActive: true });

function freshTokens(overrides: Partial<JustLoginTokenSet> = {}): JustLoginTokenSet {
  return {
    accessToken: ACCESS_TOKEN,
    refreshToken: REFRESH_TOKEN,
    tokenType: 'Bearer',
    expiresAt: nowSeconds() + 3600,
    ...overrides,
  };
}

function apiWith(options: Partial<JustLoginApiOptions> = {}, refresher = new JustLoginRefresher({ client })) {
  return new JustLoginApi({ refresher, tokens: freshTokens(), ...options });
}

async function failure(promise: Promise<unknown>): Promise<JustLoginApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(JustLoginApiError);
  return error as JustLoginApiError;
}

function expectNothingSecret(error: unknown): void {
  const text = `${inspect(error, { depth: 5 })} ${String(error)} ${(error as Error).stack} ${JSON.stringify(error)}`;
  for (const secret of [CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, 'access-token-renewed', PII]) {
    expect(text).not.toContain(secret);
  }
}

beforeEach(async () => {
  server = await TokenServer.start();
  client = new JustLoginClient({ clientID: 'api-test', clientSecret: CLIENT_SECRET, baseURL: server.origin });
  renewals = 0;
  apiReply = () => ({ body: {} });
  server.reply((request) => {
    if (!request.url.startsWith(TOKEN_PATH)) return apiReply(request);
    renewals += 1;
    return {
      body: tokenResponse({ access_token: `access-token-renewed-${renewals}`, refresh_token: `rt-${renewals}` }),
    };
  });
  waits = [];
  jest.spyOn(retryClock, 'sleep').mockImplementation((ms) => {
    waits.push(ms);
    return Promise.resolve();
  });
});

afterEach(async () => {
  jest.restoreAllMocks();
  await server.stop();
});

describe('what a call sends', () => {
  it('GETs the documented path on the base URL of sign-in with the Bearer access token', async () => {
    apiReply = () => ({ body: { ...employee(1), companyGuid: COMPANY, futureField: { kept: true } } });
    const found = await apiWith().employees.get(USER, { include: ['company', 'manager'] });
    expect(found).toMatchObject({ fullName: 'Employee 1', futureField: { kept: true } });
    const [request] = apiRequests();
    expect(request.method).toBe('GET');
    expect(request.url).toBe(`/membership/v3/users/${USER}?include=company,manager`);
    expect(request.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(request.headers.accept).toBe('application/json');
    expect(tokenRequests()).toHaveLength(0);
  });

  it('encodes include, activeStatus, query, limit and page as JustLogin documents them', async () => {
    apiReply = () => ({ body: [employee(1)], headers: { 'x-pagination': pagination(3, 3, 1) } });
    const page = await apiWith().employees.listPage({
      include: ['department', 'employment', 'department'],
      activeStatus: 'all',
      query: 'name[=]tony & co/ü',
      limit: 100,
      page: 3,
    });
    expect(apiRequests()[0].url).toBe(
      '/membership/v3/users?include=department,employment&activeStatus=all' +
        '&query=name%5B%3D%5Dtony%20%26%20co%2F%C3%BC&limit=100&page=3',
    );
    expect(new URL(apiRequests()[0].url, server.origin).searchParams.get('query')).toBe('name[=]tony & co/ü');
    expect(page).toEqual({
      items: [employee(1)],
      pagination: {
        totalCount: 3,
        pageSize: 1,
        currentPage: 3,
        totalPages: 3,
        hasNext: false,
        hasPrevious: true,
      },
    });
  });

  it("leaves activeStatus 'active' (JustLogin's default) and an empty include out", async () => {
    apiReply = () => ({ body: [] });
    await apiWith().employees.listPage({ activeStatus: 'active', include: [] });
    expect(apiRequests()[0].url).toBe('/membership/v3/users');
  });

  it('reads pay, bank and leave at their documented paths, keeping the payroll casing', async () => {
    apiReply = (request) => ({
      body: request.url.includes('/payroll/')
        ? { companyGUID: COMPANY, userGUID: USER, basicPay: 4200 }
        : { companyGuid: COMPANY, userGuid: USER, leaveTypes: [{ leaveType: 1, leaveName: 'Annual' }] },
    });
    const api = apiWith();
    expect(await api.payroll.payInfo(USER)).toEqual({ companyGUID: COMPANY, userGUID: USER, basicPay: 4200 });
    await api.payroll.bankInfo(USER.toLowerCase());
    const leave = await api.leave.assignedLeaveTypes({ companyGuid: COMPANY, userGuid: USER, year: 2026 });
    expect(leave.leaveTypes).toEqual([{ leaveType: 1, leaveName: 'Annual' }]);
    await api.leave.leaveSummary({ companyGuid: COMPANY, userGuid: USER, leaveTypeId: 7, date: '2026-11-28' });
    await api.leave.assignedLeaveTypes({ companyGuid: COMPANY, userGuid: USER });
    expect(apiRequests().map((request) => request.url)).toEqual([
      `/payroll/employee-management/v1/users/${USER}/payinfo`,
      `/payroll/employee-management/v1/users/${USER.toLowerCase()}/bankinfo`,
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${USER}/assignedleavetypes?whichyear=2026`,
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${USER}/leavetypes/7/leavesummary?baseondate=2026-11-28`,
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${USER}/assignedleavetypes`,
    ]);
  });

  it('request() calls any other path with its query, and returns data, status and pagination', async () => {
    apiReply = () => ({ body: [{ a: 1 }], headers: { 'x-pagination': pagination(1, 4, 1) } });
    const answer = await apiWith().request('GET', '/membership/v3/users', {
      query: { limit: 10, flag: true, none: undefined },
    });
    expect(apiRequests()[0].url).toBe('/membership/v3/users?limit=10&flag=true');
    expect(answer).toEqual({
      data: [{ a: 1 }],
      status: 200,
      pagination: { totalCount: 4, pageSize: 1, currentPage: 1, totalPages: 4, hasNext: true, hasPrevious: false },
    });
    apiReply = () => ({ status: 201, body: { created: true } });
    const posted = await apiWith().request('POST', '/some/v1/things', { body: { name: 'x' } });
    expect(posted).toEqual({ data: { created: true }, status: 201 });
    expect(apiRequests()[1]).toMatchObject({ method: 'POST', body: '{"name":"x"}' });
    expect(apiRequests()[1].headers['content-type']).toBe('application/json');
  });

  it('goes under a base URL that has a path', async () => {
    const proxied = new JustLoginClient({
      clientID: 'c',
      clientSecret: CLIENT_SECRET,
      baseURL: `${server.origin}/justlogin/`,
    });
    await apiWith({}, new JustLoginRefresher({ client: proxied })).payroll.payInfo(USER);
    expect(apiRequests()[0].url).toBe(`/justlogin/payroll/employee-management/v1/users/${USER}/payinfo`);
  });
});

describe('arguments are checked before anything is sent', () => {
  it.each([
    ['a path traversal', '../../v1/auth/connect/token'],
    ['an encoded slash', `${USER.slice(0, 29)}%2F`],
    ['a GUID with dashes', '0BF91817-E2E6-4B0C-92F2-2FD24A9D4604'],
    ['a GUID one short', USER.slice(1)],
    ['a query', `${USER}?include=profile`],
    ['a number', 42],
  ])('refuses %s as a userGuid', async (_what, userGuid) => {
    const api = apiWith();
    await expect(api.employees.get(userGuid as string)).rejects.toThrow(JustLoginOptionsError);
    await expect(api.payroll.bankInfo(userGuid as string)).rejects.toThrow(/32 hexadecimal characters/);
    await expect(api.leave.assignedLeaveTypes({ companyGuid: COMPANY, userGuid: userGuid as string })).rejects.toThrow(
      /`userGuid`/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it.each([0, 101, 1.5, '10', Number.NaN])('refuses limit %p', async (limit) => {
    const api = apiWith();
    await expect(api.employees.listPage({ limit: limit as number })).rejects.toThrow(
      /`limit` must be a whole number from 1 to 100/,
    );
    expect(() => api.employees.list({ limit: limit as number })).toThrow(JustLoginOptionsError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses bad include, activeStatus, query, page, year, leaveTypeId and date, and misspelt options', async () => {
    const api = apiWith();
    const bad = [
      api.employees.listPage({ include: ['salary' as never] }),
      api.employees.listPage({ activeStatus: 'everyone' as never }),
      api.employees.listPage({ query: '\ud800' }),
      api.employees.listPage({ page: 0 }),
      api.employees.listPage({ includes: ['manager'] } as never),
      api.leave.assignedLeaveTypes({ companyGuid: COMPANY, userGuid: USER, year: 26 }),
      api.leave.leaveSummary({ companyGuid: COMPANY, userGuid: USER, leaveTypeId: -1 }),
      api.leave.leaveSummary({ companyGuid: COMPANY, userGuid: USER, leaveTypeId: 1, date: '2026-02-30' }),
      api.leave.leaveSummary({ companyGuid: COMPANY, userGuid: USER, leaveTypeId: '1/../2' as never }),
    ];
    for (const call of bad) await expect(call).rejects.toThrow(JustLoginOptionsError);
    await expect(api.employees.listPage({ includes: ['manager'] } as never)).rejects.toThrow(/did you mean `include`/);
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    ['a dot-dot segment', '/membership/v3/users/../../v1/auth/connect/token'],
    ['a dot segment', '/membership/./v3'],
    ['an encoded dot-dot', '/membership/%2e%2e/v1'],
    ['a protocol-relative URL', '//evil.example/x'],
    ['an absolute URL', 'http://evil.example/x'],
    ['a query in the path', '/membership/v3/users?limit=1'],
    ['a backslash', '/membership\\..\\x'],
    ['no leading slash', 'membership/v3/users'],
    ['a CR LF', '/membership\r\nX-Injected: 1'],
  ])('request() refuses %s as a path', async (_what, path) => {
    await expect(apiWith().request('GET', path)).rejects.toThrow(JustLoginOptionsError);
    expect(server.requests).toHaveLength(0);
  });

  it('request() refuses other methods, a body with GET, and query names or values a URL cannot carry', async () => {
    const api = apiWith();
    await expect(api.request('DELETE' as never, '/x')).rejects.toThrow(/`method`/);
    await expect(api.request('GET', '/x', { body: {} })).rejects.toThrow(/`body` is only sent with POST/);
    await expect(api.request('GET', '/x', { query: { 'a&b': 1 } })).rejects.toThrow(JustLoginOptionsError);
    await expect(api.request('GET', '/x', { query: { a: Number.POSITIVE_INFINITY } })).rejects.toThrow(
      JustLoginOptionsError,
    );
    await expect(api.request('GET', '/x', { query: { a: {} as never } })).rejects.toThrow(JustLoginOptionsError);
    expect(server.requests).toHaveLength(0);
  });

  it('checks its options: a refresher with a JustLogin client, tokens with an access token, onTokens a function', () => {
    const refresher = new JustLoginRefresher({ client });
    expect(() => new JustLoginApi({ tokens: freshTokens() } as never)).toThrow(/`refresher` is required/);
    expect(() => new JustLoginApi({ refresher: { refresh: () => undefined } as never, tokens: freshTokens() })).toThrow(
      /`refresher` must be a JustLoginRefresher/,
    );
    expect(() => new JustLoginApi({ refresher, tokens: {} as never })).toThrow(/`tokens` must be a JustLoginTokenSet/);
    expect(() => new JustLoginApi({ refresher, tokens: freshTokens(), onTokens: 'save' as never })).toThrow(
      /`onTokens` must be a function/,
    );
    expect(() => new JustLoginApi({ refresher, token: freshTokens() } as never)).toThrow(/did you mean `tokens`/);
  });
});

describe('paging', () => {
  it('list() reads a page only when the previous one is consumed, and stops on HasNext false', async () => {
    apiReply = (request) => {
      const page = Number(new URL(request.url, server.origin).searchParams.get('page'));
      return {
        body: [employee(page * 10 + 1), employee(page * 10 + 2)],
        headers: { 'x-pagination': pagination(page, 3) },
      };
    };
    const walk = apiWith().employees.list({ limit: 2, include: ['department'] });
    const first = await walk.next();
    expect(first.value).toEqual(employee(11));
    await walk.next();
    expect(apiRequests()).toHaveLength(1);
    const rest = [];
    for await (const item of walk) rest.push(item.employeeId);
    expect(rest).toEqual(['E21', 'E22', 'E31', 'E32']);
    expect(apiRequests().map((request) => request.url)).toEqual(
      [1, 2, 3].map((page) => `/membership/v3/users?include=department&limit=2&page=${page}`),
    );
  });

  it('list() starts at the page given', async () => {
    apiReply = (request) => {
      const page = Number(new URL(request.url, server.origin).searchParams.get('page'));
      return { body: [employee(page)], headers: { 'x-pagination': pagination(page, 5, 1) } };
    };
    const ids = [];
    for await (const item of apiWith().employees.list({ page: 4 })) ids.push(item.employeeId);
    expect(ids).toEqual(['E4', 'E5']);
  });

  it('a list without x-pagination is one page', async () => {
    apiReply = () => ({ body: [employee(1), employee(2)] });
    const ids = [];
    for await (const item of apiWith().employees.list()) ids.push(item.employeeId);
    expect(ids).toEqual(['E1', 'E2']);
    expect(apiRequests()).toHaveLength(1);
    expect((await apiWith().employees.listPage({ page: 2 })).pagination).toEqual({
      totalCount: 2,
      pageSize: 2,
      currentPage: 2,
      totalPages: 2,
      hasNext: false,
      hasPrevious: true,
    });
  });

  it('stops a server that says HasNext forever at TotalPages, and at an empty page', async () => {
    const endless = (page: number, totalPages: number, items: unknown[]) => ({
      body: items,
      headers: {
        'x-pagination': JSON.stringify({
          TotalCount: 99,
          PageSize: items.length,
          CurrentPage: page,
          TotalPages: totalPages,
          HasNext: true,
          HasPrevious: page > 1,
        }),
      },
    });
    const pageOf = (request: RecordedRequest) => Number(new URL(request.url, server.origin).searchParams.get('page'));
    apiReply = (request) => endless(pageOf(request), 2, [employee(pageOf(request))]);
    const seen = [];
    for await (const item of apiWith().employees.list()) seen.push(item.employeeId);
    expect(seen).toEqual(['E1', 'E2']);

    server.requests.length = 0;
    apiReply = (request) => endless(pageOf(request), 1000, pageOf(request) < 3 ? [employee(pageOf(request))] : []);
    seen.length = 0;
    for await (const item of apiWith().employees.list()) seen.push(item.employeeId);
    expect(seen).toEqual(['E1', 'E2']);
    expect(apiRequests()).toHaveLength(3);
  });

  it('fails a walk whose server answers another page than asked for', async () => {
    apiReply = () => ({ body: [employee(1)], headers: { 'x-pagination': pagination(1, 9, 1) } });
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const item of apiWith().employees.list()) seen.push(item.employeeId);
      })(),
    );
    expect(seen).toEqual(['E1']);
    expect(error).toMatchObject({ code: 'EBADRESPONSE', retryable: false });
    expect(error.message).toBe(
      `JustLogin's API (employees.list) answered page 1 when asked for page 2${seeGuide('EBADRESPONSE')}`,
    );
  });

  it.each([
    ['not JSON', `{"TotalCount":1,${PII}`],
    ['a JSON array', '[1,2]'],
    ['a negative count', pagination(1, 1).replace('"TotalCount":2', '"TotalCount":-2')],
    ['a string for a count', pagination(1, 1).replace('"TotalPages":1', `"TotalPages":"${PII}"`)],
    ['a missing flag', '{"TotalCount":1,"PageSize":1,"CurrentPage":1,"TotalPages":1,"HasNext":false}'],
    ['a huge header', `{"pad":"${'x'.repeat(2000)}","TotalCount":1}`],
  ])('refuses an x-pagination header that is %s, without repeating it', async (_what, header) => {
    apiReply = () => ({ body: [employee(1)], headers: { 'x-pagination': header } });
    const error = await failure(apiWith().employees.listPage());
    expect(error.code).toBe('EBADRESPONSE');
    expect(error.message).toBe(
      `JustLogin's API (employees.listPage) sent an x-pagination header that is not the documented JSON object${seeGuide('EBADRESPONSE')}`,
    );
    expectNothingSecret(error);
  });

  it('refuses a list that is not an array of objects, and an employee that is not an object', async () => {
    apiReply = () => ({ body: { items: [PII] } });
    expect(await failure(apiWith().employees.listPage())).toMatchObject({ code: 'EBADRESPONSE', status: undefined });
    apiReply = () => ({ body: [PII] });
    expect(await failure(apiWith().employees.listPage())).toMatchObject({ code: 'EBADRESPONSE' });
    apiReply = () => ({ body: [employee(1)] });
    const error = await failure(apiWith().employees.get(USER));
    expect(error.message).toBe(
      `JustLogin's API (employees.get) answered with something other than a JSON object${seeGuide('EBADRESPONSE')}`,
    );
  });
});

describe('retries', () => {
  it('retries a GET after 429 with Retry-After, waiting what it asks plus a jittered backoff', async () => {
    let calls = 0;
    apiReply = () =>
      ++calls === 1 ? { status: 429, headers: { 'retry-after': '3' }, body: { message: PII } } : { body: { ok: 1 } };
    expect(await apiWith().payroll.payInfo(USER)).toEqual({ ok: 1 });
    expect(apiRequests()).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(3000 + 125);
    expect(waits[0]).toBeLessThanOrEqual(3000 + 250);
  });

  it('reads Retry-After as an HTTP date', async () => {
    jest.spyOn(retryClock, 'now').mockReturnValue(Date.parse('2026-01-01T00:00:00Z'));
    let calls = 0;
    apiReply = () =>
      ++calls === 1 ? { status: 503, headers: { 'retry-after': 'Thu, 01 Jan 2026 00:00:04 GMT' } } : { body: {} };
    await apiWith().payroll.payInfo(USER);
    expect(waits[0]).toBeGreaterThanOrEqual(4000 + 125);
    expect(waits[0]).toBeLessThanOrEqual(4000 + 250);
  });

  it.each([429, 502, 503, 504])('tries a GET that gets %i three times in all, then fails retryable', async (status) => {
    apiReply = () => ({ status, body: { message: PII } });
    const error = await failure(apiWith().employees.get(USER));
    expect(apiRequests()).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(125);
    expect(waits[0]).toBeLessThanOrEqual(250);
    expect(waits[1]).toBeGreaterThanOrEqual(250);
    expect(waits[1]).toBeLessThanOrEqual(500);
    expect(error).toMatchObject({ status, code: 'EHTTPSTATUS', retryable: true, reauthenticate: false });
    expect(error.message).toBe(
      `JustLogin's API (employees.get) answered HTTP ${status}; the call may be retried later${seeGuide('EHTTPSTATUS')}`,
    );
    expectNothingSecret(error);
  });

  it.each([
    [400, false],
    [403, false],
    [404, false],
    [405, false],
    [500, true],
  ])('does not retry HTTP %i (retryable: %p)', async (status, retryable) => {
    apiReply = () => ({ status, body: { message: PII } });
    const error = await failure(apiWith().payroll.bankInfo(USER));
    expect(apiRequests()).toHaveLength(1);
    expect(waits).toHaveLength(0);
    expect(error).toMatchObject({ status, retryable, reauthenticate: false });
    if (status === 403)
      expect(error.message).toBe(
        `JustLogin's API (payroll.bankInfo) answered HTTP 403: the signed-in user may not make this call${seeGuide('EHTTPSTATUS')}`,
      );
    expectNothingSecret(error);
  });

  it('does not retry a POST', async () => {
    apiReply = () => ({ status: 503 });
    await failure(apiWith().request('POST', '/some/v1/things', { body: {} }));
    expect(apiRequests()).toHaveLength(1);
  });

  it('retries a GET whose connection was reset', async () => {
    let calls = 0;
    apiReply = () => (++calls === 1 ? 'reset' : { body: {} });
    await apiWith().payroll.payInfo(USER);
    expect(apiRequests()).toHaveLength(2);
    expect(waits).toHaveLength(1);
  });

  it('does not wait for a Retry-After over 10 s: fails with retryAfter', async () => {
    apiReply = () => ({ status: 429, headers: { 'retry-after': '3600' } });
    const error = await failure(apiWith().payroll.payInfo(USER));
    expect(apiRequests()).toHaveLength(1);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfter: 3600 });
  });

  it('does not retry when the wait would end after the call deadline (the client timeout)', async () => {
    const short = new JustLoginClient({
      clientID: 'c',
      clientSecret: CLIENT_SECRET,
      baseURL: server.origin,
      timeout: 2000,
    });
    apiReply = () => ({ status: 503, headers: { 'retry-after': '5' } });
    const error = await failure(apiWith({}, new JustLoginRefresher({ client: short })).payroll.payInfo(USER));
    expect(apiRequests()).toHaveLength(1);
    expect(error).toMatchObject({ status: 503, retryAfter: 5 });
  });

  it('gives the whole call one deadline: a server that never answers fails it with ETIMEDOUT', async () => {
    const short = new JustLoginClient({
      clientID: 'c',
      clientSecret: CLIENT_SECRET,
      baseURL: server.origin,
      timeout: 300,
    });
    apiReply = () => 'hang';
    const error = await failure(apiWith({}, new JustLoginRefresher({ client: short })).employees.get(USER));
    expect(error).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
    expect(apiRequests()).toHaveLength(1);
  });
});

describe('renewal', () => {
  it('renews before a call when the access token is due, awaiting onTokens before the call goes on', async () => {
    const events: string[] = [];
    apiReply = (request) => {
      events.push(`api ${request.headers.authorization}`);
      return { body: {} };
    };
    const onTokens = jest.fn(async (tokens: JustLoginTokenSet) => {
      await new Promise((resolve) => setImmediate(resolve));
      events.push(`saved ${tokens.accessToken}`);
    });
    const api = apiWith({ tokens: freshTokens({ expiresAt: nowSeconds() + 30 }), onTokens });
    await api.payroll.payInfo(USER);
    expect(events).toEqual(['saved access-token-renewed-1', 'api Bearer access-token-renewed-1']);
    expect(onTokens).toHaveBeenCalledTimes(1);
    expect(api.tokens).toMatchObject({ accessToken: 'access-token-renewed-1', refreshToken: 'rt-1' });
    const [renewal] = tokenRequests();
    expect(renewal.form).toMatchObject({ grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN });
    expect(renewal.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    await api.payroll.payInfo(USER);
    expect(renewals).toBe(1);
  });

  it('renews with the skew given', async () => {
    const api = apiWith({ tokens: freshTokens({ expiresAt: nowSeconds() + 30 }), skewMs: 10_000 });
    await api.payroll.payInfo(USER);
    expect(renewals).toBe(0);
  });

  it('20 concurrent calls with an expired token make one renewal and call onTokens once', async () => {
    const onTokens = jest.fn();
    const api = apiWith({ tokens: freshTokens({ expiresAt: nowSeconds() - 5 }), onTokens });
    await Promise.all(Array.from({ length: 20 }, () => api.employees.get(USER)));
    expect(tokenRequests()).toHaveLength(1);
    expect(onTokens).toHaveBeenCalledTimes(1);
    expect(apiRequests()).toHaveLength(20);
    expect(new Set(apiRequests().map((request) => request.headers.authorization))).toEqual(
      new Set(['Bearer access-token-renewed-1']),
    );
  });

  it('after a 401 renews once and retries once with the new access token', async () => {
    apiReply = (request) =>
      request.headers.authorization === `Bearer ${ACCESS_TOKEN}` ? { status: 401 } : { body: { ok: true } };
    const onTokens = jest.fn();
    const api = apiWith({ onTokens });
    expect(await api.employees.get(USER)).toEqual({ ok: true });
    expect(apiRequests().map((request) => request.headers.authorization)).toEqual([
      `Bearer ${ACCESS_TOKEN}`,
      'Bearer access-token-renewed-1',
    ]);
    expect(renewals).toBe(1);
    expect(onTokens).toHaveBeenCalledTimes(1);
    expect(api.tokens.accessToken).toBe('access-token-renewed-1');
  });

  it('20 concurrent calls refused with 401 make one renewal', async () => {
    apiReply = (request) =>
      request.headers.authorization === `Bearer ${ACCESS_TOKEN}` ? { status: 401 } : { body: {} };
    const onTokens = jest.fn();
    const api = apiWith({ onTokens });
    await Promise.all(Array.from({ length: 20 }, () => api.payroll.payInfo(USER)));
    expect(renewals).toBe(1);
    expect(onTokens).toHaveBeenCalledTimes(1);
    expect(apiRequests()).toHaveLength(40);
  });

  it('a 401 after the renewal fails the call: the user must sign in again', async () => {
    apiReply = () => ({ status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, body: PII });
    const error = await failure(apiWith().employees.get(USER));
    expect(apiRequests()).toHaveLength(2);
    expect(renewals).toBe(1);
    expect(error).toMatchObject({ status: 401, retryable: false, reauthenticate: true });
    expect(error.message).toMatch(/the user must sign in with JustLogin again \(see \S+#ehttpstatus\)$/);
    expectNothingSecret(error);
  });

  it('does not retry after a 401 when the renewal gave the same access token', async () => {
    server.reply((request) =>
      request.url.startsWith(TOKEN_PATH)
        ? { body: tokenResponse({ access_token: ACCESS_TOKEN, refresh_token: 'rt-same' }) }
        : { status: 401 },
    );
    const error = await failure(apiWith().employees.get(USER));
    expect(apiRequests()).toHaveLength(1);
    expect(tokenRequests()).toHaveLength(1);
    expect(error).toMatchObject({ status: 401, reauthenticate: true });
  });

  it('a refused refresh token fails the call with reauthenticate: the user must sign in again', async () => {
    server.reply((request) =>
      request.url.startsWith(TOKEN_PATH)
        ? {
            status: 400,
            body: { error: 'invalid_grant', error_description: `refresh token ${REFRESH_TOKEN} is spent` },
          }
        : { body: {} },
    );
    const error = await failure(apiWith({ tokens: freshTokens({ expiresAt: nowSeconds() - 1 }) }).employees.get(USER));
    expect(error).toMatchObject({ code: 'invalid_grant', status: 400, retryable: false, reauthenticate: true });
    expect(error.message).toBe(
      `The access token for JustLogin's API could not be renewed (invalid_grant); the user must sign in with JustLogin again${seeGuide('invalid_grant')}`,
    );
    expect(error).toBeInstanceOf(JustLoginError);
    expect(apiRequests()).toHaveLength(0);
    expectNothingSecret(error);
  });

  it('without a refresh token a due renewal fails with ENOREFRESHTOKEN and reauthenticate', async () => {
    const tokens = freshTokens({ expiresAt: nowSeconds() - 1, refreshToken: undefined });
    const error = await failure(apiWith({ tokens }).employees.get(USER));
    expect(error).toMatchObject({ code: 'ENOREFRESHTOKEN', reauthenticate: true });
    expect(server.requests).toHaveLength(0);
  });

  it('a renewal that fails for a while (503) is retryable and not a reason to sign in again', async () => {
    server.reply((request) => (request.url.startsWith(TOKEN_PATH) ? { status: 503 } : { body: {} }));
    const error = await failure(apiWith({ tokens: freshTokens({ expiresAt: nowSeconds() - 1 }) }).employees.get(USER));
    expect(error).toMatchObject({ code: 'EHTTPSTATUS', status: 503, retryable: true, reauthenticate: false });
  });

  it('while JustLogin cannot renew, a due access token that is still valid serves the call', async () => {
    server.reply((request) => (request.url.startsWith(TOKEN_PATH) ? { status: 503 } : { body: {} }));
    const onTokens = jest.fn();
    const api = apiWith({ tokens: freshTokens({ expiresAt: nowSeconds() + 30 }), onTokens }); // due, still valid
    await api.employees.get(USER);
    expect(tokenRequests()).toHaveLength(1);
    expect(apiRequests().map((request) => request.headers.authorization)).toEqual([`Bearer ${ACCESS_TOKEN}`]);
    expect(onTokens).not.toHaveBeenCalled();
  });

  it('when onTokens throws, the call rejects with its error and the tokens stay; the next call saves them', async () => {
    const saveFailed = new Error('session store down');
    const onTokens = jest.fn().mockRejectedValueOnce(saveFailed).mockResolvedValue(undefined);
    const api = apiWith({ tokens: freshTokens({ expiresAt: nowSeconds() - 1 }), onTokens });
    await expect(api.employees.get(USER)).rejects.toBe(saveFailed);
    expect(api.tokens.accessToken).toBe(ACCESS_TOKEN);
    expect(apiRequests()).toHaveLength(0);
    await api.employees.get(USER);
    // The refresher's grace window hands out the same renewal: no second request to the token endpoint.
    expect(renewals).toBe(1);
    expect(onTokens).toHaveBeenCalledTimes(2);
    expect(onTokens.mock.calls[1][0]).toMatchObject({ accessToken: 'access-token-renewed-1' });
    expect(api.tokens.accessToken).toBe('access-token-renewed-1');
  });
});

describe('nothing secret in errors or in the client', () => {
  it('a 200 that is not JSON, a redirect and a body over the cap fail without their content', async () => {
    apiReply = () => ({ body: `<html>${PII}</html>` });
    const notJson = await failure(apiWith().employees.get(USER));
    expect(notJson).toMatchObject({ code: 'EBADRESPONSE', status: 200, retryable: false });
    expectNothingSecret(notJson);

    apiReply = () => ({ status: 302, headers: { location: `http://evil.example/?${PII}` } });
    const redirect = await failure(apiWith().employees.get(USER));
    expect(redirect).toMatchObject({ code: 'EREDIRECT', retryable: false });
    expectNothingSecret(redirect);

    apiReply = () => ({ body: `"${PII.repeat(Math.ceil((4 * 1024 * 1024) / PII.length) + 1)}"` });
    const large = await failure(apiWith().employees.get(USER));
    expect(large).toMatchObject({ code: 'ETOOLARGE' });
    expectNothingSecret(large);
  });

  it('an access token HTTP cannot carry is not sent', async () => {
    const error = await failure(
      apiWith({ tokens: freshTokens({ accessToken: 'abc\r\nX-Evil: 1' }) }).employees.get(USER),
    );
    expect(error).toMatchObject({ code: 'EBADREQUEST', retryable: false });
    expect(error.message).not.toContain('X-Evil');
    expect(server.requests).toHaveLength(0);
  });

  it('inspecting or serialising the client shows no token or secret', async () => {
    const api = apiWith();
    await api.employees.get(USER);
    const text = `${inspect(api, { depth: 10, showHidden: true })} ${JSON.stringify(api)}`;
    for (const secret of [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET]) expect(text).not.toContain(secret);
  });

  it('JustLoginApiError is one of the package errors', () => {
    const error = new JustLoginApiError('x', 'EHTTPSTATUS', { status: 403, retryable: false });
    expect(error).toMatchObject({ name: 'JustLoginApiError', code: 'EHTTPSTATUS', status: 403, reauthenticate: false });
    expect(error).toBeInstanceOf(JustLoginError);
  });
});

describe('a walk over pages', () => {
  it(`stops believing a server that still says HasNext after ${MAX_PAGES} non-empty pages`, async () => {
    let read = 0;
    const endless = (page: number) => {
      read += 1;
      return Promise.resolve({
        items: [page],
        pagination: {
          totalCount: 1e9,
          pageSize: 1,
          currentPage: page,
          totalPages: 1e9,
          hasNext: true,
          hasPrevious: page > 1,
        },
      });
    };
    let yielded = 0;
    const error = await failure(
      (async () => {
        for await (const item of walkPages(endless, 1, 'employees.list')) yielded += item > 0 ? 1 : 0;
      })(),
    );
    expect(read).toBe(MAX_PAGES);
    expect(yielded).toBe(MAX_PAGES);
    expect(error.message).toBe(
      `JustLogin's API (employees.list) still said there were more pages after ${MAX_PAGES}; the walk stopped${seeGuide('EBADRESPONSE')}`,
    );
  });
});
