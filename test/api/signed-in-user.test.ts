// Calls that name no employee are about the signed-in user, whose GUIDs the access token carries (or the
// `identity` option, for an opaque access token); a server on 127.0.0.1 records the paths asked for.
import {
  JustLoginApi,
  JustLoginClient,
  JustLoginOptionsError,
  JustLoginRefresher,
  identityOf,
  type JustLoginApiOptions,
} from '../../lib';
import { fakeIdToken } from '../support/id-token';
import { TokenServer } from '../support/token-server';

const USER = '7D3C2B1A0F9E8D7C6B5A493827160504';
const COMPANY = '0BF91817E2E64B0C92F22FD24A9D4604';
const OTHER = '5A1C3E0D9B7F4A2E8C6D1B3F5E7A9C0D';

let server: TokenServer;
let refresher: JustLoginRefresher;

const jwtAccessToken = (claims: Record<string, unknown>) =>
  fakeIdToken(
    { sub: 'user-42', exp: Math.floor(Date.now() / 1000) + 3600, ...claims },
    { alg: 'RS256', typ: 'at+jwt' },
  );
const api = (accessToken: string, options: Partial<JustLoginApiOptions> = {}) =>
  new JustLoginApi({ refresher, tokens: { accessToken, tokenType: 'Bearer' }, ...options });
const paths = () => server.requests.map((request) => request.url);

beforeEach(async () => {
  server = await TokenServer.start();
  server.reply({ body: { ok: true } });
  const client = new JustLoginClient({ clientID: 'c', clientSecret: 'client-secret-4Vb9Qx', baseURL: server.origin });
  refresher = new JustLoginRefresher({ client });
});
afterEach(() => server.stop());

describe("with the access token's UserGUID and CompanyGUID", () => {
  const token = () => jwtAccessToken({ UserGUID: USER, CompanyGUID: COMPANY, role: 'Employee' });

  it('asks for the signed-in employee, their pay and bank information, and their leave', async () => {
    const client = api(token());
    await client.employees.me({ include: ['company'] });
    await client.payroll.payInfo();
    await client.payroll.bankInfo();
    await client.leave.assignedLeaveTypes({ year: 2026 });
    await client.leave.assignedLeaveTypes();
    await client.leave.leaveSummary({ leaveTypeId: 3, date: '2026-11-28' });
    expect(paths()).toEqual([
      `/membership/v3/users/${USER}?include=company`,
      `/payroll/employee-management/v1/users/${USER}/payinfo`,
      `/payroll/employee-management/v1/users/${USER}/bankinfo`,
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${USER}/assignedleavetypes?whichyear=2026`,
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${USER}/assignedleavetypes`,
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${USER}/leavetypes/3/leavesummary?baseondate=2026-11-28`,
    ]);
  });

  it('asks for another employee when the call names one', async () => {
    const client = api(token());
    await client.payroll.payInfo(OTHER);
    await client.leave.assignedLeaveTypes({ userGuid: OTHER });
    expect(paths()).toEqual([
      `/payroll/employee-management/v1/users/${OTHER}/payinfo`,
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${OTHER}/assignedleavetypes`,
    ]);
  });

  it('is what identityOf reads from the token set', () => {
    expect(identityOf({ accessToken: token() })).toEqual({ userGuid: USER, companyGuid: COMPANY, roles: ['Employee'] });
    expect(identityOf({ accessToken: 'opaque-reference-token' })).toBeUndefined();
  });
});

describe('when the signed-in user is unknown', () => {
  it.each([
    ['employees.me', (client: JustLoginApi) => client.employees.me()],
    ['payroll.payInfo', (client: JustLoginApi) => client.payroll.payInfo()],
    ['payroll.bankInfo', (client: JustLoginApi) => client.payroll.bankInfo()],
    ['leave.assignedLeaveTypes', (client: JustLoginApi) => client.leave.assignedLeaveTypes()],
    ['leave.leaveSummary', (client: JustLoginApi) => client.leave.leaveSummary({ leaveTypeId: 1 })],
  ])('%s says how to supply it, before any request', async (method, call) => {
    const error = await call(api('opaque-reference-token')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JustLoginOptionsError);
    expect((error as Error).message).toContain(`JustLoginApi.${method}`);
    expect((error as Error).message).toMatch(/identity: \{ userGuid, companyGuid \}/);
    expect(paths()).toEqual([]);
  });

  it('takes the GUIDs from the identity option for an opaque access token', async () => {
    const client = api('opaque-reference-token', { identity: { userGuid: USER, companyGuid: COMPANY } });
    await client.employees.me();
    await client.leave.assignedLeaveTypes();
    expect(paths()).toEqual([
      `/membership/v3/users/${USER}`,
      `/leave/setup/leave/v2/companies/${COMPANY}/users/${USER}/assignedleavetypes`,
    ]);
  });

  it('refuses a GUID from the access token that is not one, before any request', async () => {
    const client = api(jwtAccessToken({ UserGUID: '../../admin', CompanyGUID: COMPANY }));
    await expect(client.payroll.payInfo()).rejects.toThrow(/UserGUID/);
    expect(paths()).toEqual([]);
  });
});
