// JustLoginApi against the sandbox's copy of JustLogin's API, with real tokens from a sign-in on
// its own pages: paging through a 120+ company, each endpoint, roles, faults and renewals.
import { inspect } from 'node:util';
import {
  JustLoginApi,
  JustLoginApiError,
  JustLoginClient,
  JustLoginRefresher,
  toTokenSet,
  type JustLoginApiOptions,
  type JustLoginTokenSet,
} from '../../lib';
import { retryClock } from '../../lib/api/retry';
import { DEMO_USERS, startSandbox, type DemoUser, type RunningSandbox } from '../support/sandbox';
import { signInForTokens } from '../support/sandbox-tokens';

const user = (name: string) => DEMO_USERS.find((candidate) => candidate.username === name)!;
const alice = user('alice'); // ACME, HR Admin
const bob = user('bob'); // ACME, Employee
const carol = user('carol'); // GLOBEX, Employee
const ACME = alice.claims.CompanyGUID;

let sandbox: RunningSandbox;
let client: JustLoginClient;
let refresher: JustLoginRefresher;
const signedIn = new Map<DemoUser, JustLoginTokenSet>();
let waits: number[];

async function tokensOf(sandboxToUse: RunningSandbox, demoUser: DemoUser): Promise<JustLoginTokenSet> {
  const answer = await signInForTokens(sandboxToUse, demoUser);
  return toTokenSet(answer.access_token, answer.refresh_token, { ...answer });
}

function apiFor(demoUser: DemoUser, options: Partial<JustLoginApiOptions> = {}): JustLoginApi {
  return new JustLoginApi({ refresher, tokens: signedIn.get(demoUser)!, ...options });
}

const faults = async (fault?: { status: number; count: number; retryAfter?: number }) => {
  const res = await fetch(`${sandbox.origin}/_sandbox/api-faults`, {
    method: fault ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json' },
    body: fault && JSON.stringify(fault),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { apiCalls: number; remaining: number };
};
const refreshes = () => sandbox.tokenRequests.filter((line) => line.includes('grant_type=refresh_token')).length;

async function failure(promise: Promise<unknown>): Promise<JustLoginApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(JustLoginApiError);
  return error as JustLoginApiError;
}

/** What an error must never show: tokens, the client secret, and data from an answer. */
function expectNothingSecret(error: unknown, tokens: JustLoginTokenSet, data: string[]): void {
  const text = `${inspect(error, { depth: 5 })} ${String(error)} ${(error as Error).stack} ${JSON.stringify(error)}`;
  for (const secret of [tokens.accessToken, tokens.refreshToken!, sandbox.clientSecret, ...data]) {
    expect(text).not.toContain(secret);
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ SANDBOX_API_CONTROL: '1' });
  client = new JustLoginClient({
    clientID: sandbox.clientID,
    clientSecret: sandbox.clientSecret,
    baseURL: sandbox.origin,
  });
  refresher = new JustLoginRefresher({ client });
  for (const demoUser of [alice, bob, carol]) signedIn.set(demoUser, await tokensOf(sandbox, demoUser));
});

afterAll(async () => {
  await sandbox?.stop();
});

beforeEach(() => {
  waits = [];
  jest.spyOn(retryClock, 'sleep').mockImplementation((ms) => {
    waits.push(ms);
    return Promise.resolve();
  });
});

afterEach(() => {
  jest.restoreAllMocks();
});

describe('the employees of a 120+ company', () => {
  it('list() walks every page at limit 50 and at 100, one call a page, as many as TotalCount says', async () => {
    const api = apiFor(alice);
    const { pagination } = await api.employees.listPage({ activeStatus: 'all', limit: 1 });
    expect(pagination.totalCount).toBeGreaterThanOrEqual(120);
    const walks: string[][] = [];
    for (const limit of [50, 100]) {
      const before = (await faults()).apiCalls;
      const guids: string[] = [];
      for await (const employee of api.employees.list({ activeStatus: 'all', limit, include: ['department'] })) {
        expect(employee.companyGuid).toBe(ACME);
        expect(typeof employee.department?.name).toBe('string');
        guids.push(employee.userGuid);
      }
      expect(guids).toHaveLength(pagination.totalCount);
      expect(new Set(guids).size).toBe(guids.length);
      expect((await faults()).apiCalls - before).toBe(Math.ceil(pagination.totalCount / limit));
      walks.push(guids);
    }
    expect(walks[1]).toEqual(walks[0]);
  });

  it('honours activeStatus and query', async () => {
    const api = apiFor(alice);
    const active = (await api.employees.listPage({ limit: 1 })).pagination.totalCount;
    const inactive = (await api.employees.listPage({ limit: 1, activeStatus: 'inactive' })).pagination.totalCount;
    const all = (await api.employees.listPage({ limit: 1, activeStatus: 'all' })).pagination.totalCount;
    expect(active + inactive).toBe(all);
    expect(inactive).toBeGreaterThan(0);
    const found = [];
    for await (const employee of api.employees.list({ query: 'name[=]alice t' })) found.push(employee.fullName);
    expect(found).toContain('Alice Tan');
  });

  it('get() reads one employee with every include, and a colleague of another company is 404, not retried', async () => {
    const api = apiFor(alice);
    const me = await api.employees.get(alice.claims.UserGUID, {
      include: ['manager', 'department', 'employment', 'company', 'profile'],
    });
    expect(me).toMatchObject({
      userGuid: alice.claims.UserGUID,
      fullName: 'Alice Tan',
      company: { companyGuid: ACME },
    });
    expect(typeof me.employment?.jobGradeId).toBe('number');
    expect(typeof me.passport?.passportNo).toBe('string');
    const before = (await faults()).apiCalls;
    const error = await failure(api.employees.get(carol.claims.UserGUID));
    expect(error).toMatchObject({ status: 404, retryable: false, reauthenticate: false });
    expect((await faults()).apiCalls - before).toBe(1);
  });
});

describe('payroll and leave', () => {
  it('an HR Admin reads pay and bank information in the payroll casing', async () => {
    const api = apiFor(alice);
    const pay = await api.payroll.payInfo(bob.claims.UserGUID);
    expect(pay).toMatchObject({ companyGUID: ACME, userGUID: bob.claims.UserGUID });
    expect(typeof pay.basicPay).toBe('number');
    const bank = await api.payroll.bankInfo(bob.claims.UserGUID);
    expect(bank).toMatchObject({ companyGUID: ACME, userGUID: bob.claims.UserGUID });
    expect(typeof bank.accountNo).toBe('string');
  });

  it('anyone else gets 403, not retried, and the error shows none of the data', async () => {
    const bank = await apiFor(alice).payroll.bankInfo(bob.claims.UserGUID);
    const api = apiFor(bob);
    const before = (await faults()).apiCalls;
    for (const call of [api.payroll.payInfo(bob.claims.UserGUID), api.payroll.bankInfo(bob.claims.UserGUID)]) {
      const error = await failure(call);
      expect(error).toMatchObject({ status: 403, code: 'EHTTPSTATUS', retryable: false, reauthenticate: false });
      expectNothingSecret(error, signedIn.get(bob)!, [bank.accountNo, bank.bankName]);
    }
    expect((await faults()).apiCalls - before).toBe(2);
  });

  it('reads the leave types assigned to an employee and the summary of one', async () => {
    const api = apiFor(bob);
    const year = new Date().getFullYear();
    const assigned = await api.leave.assignedLeaveTypes({ companyGuid: ACME, userGuid: bob.claims.UserGUID, year });
    expect(assigned).toMatchObject({ companyGuid: ACME, userGuid: bob.claims.UserGUID, whichYear: year });
    expect(assigned.leaveTypes.length).toBeGreaterThan(0);
    const [{ leaveType, leaveName }] = assigned.leaveTypes;
    const date = `${year}-01-31`;
    const summary = await api.leave.leaveSummary({
      companyGuid: ACME,
      userGuid: bob.claims.UserGUID,
      leaveTypeId: leaveType,
      date,
    });
    expect(summary).toMatchObject({ leaveType, leaveName, baseOnDate: date });
  });
});

describe('faults', () => {
  it('429 with Retry-After and 503 are retried; three 503s fail the call, retryable', async () => {
    const api = apiFor(alice);
    await faults({ status: 429, count: 1, retryAfter: 2 });
    let before = (await faults()).apiCalls;
    expect((await api.employees.get(alice.claims.UserGUID)).fullName).toBe('Alice Tan');
    expect((await faults()).apiCalls - before).toBe(2);
    expect(waits[0]).toBeGreaterThanOrEqual(2000);

    await faults({ status: 503, count: 2 });
    before = (await faults()).apiCalls;
    expect((await api.employees.listPage({ limit: 5 })).items).toHaveLength(5);
    expect((await faults()).apiCalls - before).toBe(3);

    await faults({ status: 503, count: 3 });
    before = (await faults()).apiCalls;
    const error = await failure(api.employees.listPage({ limit: 5 }));
    expect(error).toMatchObject({ status: 503, retryable: true, reauthenticate: false });
    expect((await faults()).apiCalls - before).toBe(3);
  });
});

describe('renewal at the sandbox', () => {
  it('renews an access token that is due before the call, once for 20 concurrent calls, calling onTokens once', async () => {
    const tokens = await tokensOf(sandbox, bob);
    const saved: JustLoginTokenSet[] = [];
    const api = new JustLoginApi({
      refresher,
      tokens: { ...tokens, expiresAt: Math.floor(Date.now() / 1000) + 30 },
      onTokens: (next) => {
        saved.push(next);
      },
    });
    const before = refreshes();
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.employees.get(bob.claims.UserGUID)));
    expect(answers.every((answer) => answer.fullName === 'Bob Lim')).toBe(true);
    expect(refreshes() - before).toBe(1);
    expect(saved).toHaveLength(1);
    expect(saved[0].accessToken).not.toBe(tokens.accessToken);
    expect(saved[0].refreshToken).not.toBe(tokens.refreshToken);
    expect(api.tokens).toBe(saved[0]);

    // The spent refresh token, past the refresher's grace window: the user must sign in again.
    const forgetful = new JustLoginRefresher({ client, graceMs: 0 });
    const stale = new JustLoginApi({ refresher: forgetful, tokens: { ...tokens, expiresAt: 0 } });
    const error = await failure(stale.employees.get(bob.claims.UserGUID));
    expect(error).toMatchObject({ code: 'invalid_grant', reauthenticate: true, retryable: false });
    expect(error.message).toMatch(/the user must sign in with JustLogin again \(see https:\/\/\S+#invalid_grant\)$/);
    expectNothingSecret(error, tokens, []);
  });

  it('an access token the sandbox no longer accepts: 401, one renewal, one retry', async () => {
    const shortLived = await startSandbox({ SANDBOX_ACCESS_TOKEN_TTL: '1' });
    try {
      const shortClient = new JustLoginClient({
        clientID: shortLived.clientID,
        clientSecret: shortLived.clientSecret,
        baseURL: shortLived.origin,
      });
      const tokens = await tokensOf(shortLived, carol);
      // Wait until the sandbox refuses the access token (it lives 1 s).
      for (let tries = 0; tries < 50; tries += 1) {
        const res = await fetch(`${shortLived.origin}/membership/v3/users?limit=1`, {
          headers: { authorization: `Bearer ${tokens.accessToken}` },
        });
        if (res.status === 401) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const saved: JustLoginTokenSet[] = [];
      const api = new JustLoginApi({
        refresher: new JustLoginRefresher({ client: shortClient }),
        // As an app that does not know when the token expires.
        tokens: { ...tokens, expiresAt: undefined },
        onTokens: (next) => {
          saved.push(next);
        },
      });
      const me = await api.employees.get(carol.claims.UserGUID);
      expect(me.fullName).toBe('Carol Ng');
      expect(saved).toHaveLength(1);
      expect(await shortLived.waitForTokenRequests(2)).toEqual([
        'token-request grant_type=authorization_code status=200',
        'token-request grant_type=refresh_token status=200',
      ]);
    } finally {
      await shortLived.stop();
    }
  });
});
