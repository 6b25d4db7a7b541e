// The sandbox's copy of JustLogin's API (sandbox/lib/api.mjs), called over HTTP with
// real access tokens from a sign-in on the sandbox's own pages.
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import { DEMO_USERS, startSandbox, type DemoUser, type RunningSandbox } from './support/sandbox';
import { signInForTokens, type SandboxTokens } from './support/sandbox-tokens';

/** The justlogin-sandbox command (its package's bin). */
const SANDBOX_COMMAND = join(dirname(require.resolve('justlogin-sandbox/package.json')), 'cli.mjs');

const user = (name: string) => DEMO_USERS.find((candidate) => candidate.username === name)!;
const alice = user('alice'); // ACME, HR Admin
const bob = user('bob'); // ACME, Employee
const carol = user('carol'); // GLOBEX, Employee
const ACME = alice.claims.CompanyGUID;
const GLOBEX = carol.claims.CompanyGUID;

const GUID = /^[0-9A-F]{32}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const USERS = '/membership/v3/users';
const payroll = (userGuid: string, what: 'payinfo' | 'bankinfo') =>
  `/payroll/employee-management/v1/users/${userGuid}/${what}`;
const leave = (companyGuid: string, userGuid: string) =>
  `/leave/setup/leave/v2/companies/${companyGuid}/users/${userGuid}`;

const BASIC_FIELDS = [
  'userGuid',
  'companyGuid',
  'employeeId',
  'userName',
  'email',
  'fullName',
  'createdDate',
  'modifiedDate',
  'joinDate',
  'isActive',
  'images',
];
const ALL_FIELDS = [
  'userGuid',
  'companyGuid',
  'employeeId',
  'userName',
  'email',
  'fullName',
  'createdDate',
  'modifiedDate',
  'joinDate',
  'dateOfBirth',
  'dayOfBirth',
  'monthOfBirth',
  'yearOfBirth',
  'gender',
  'isActive',
  'manager',
  'images',
  'department',
  'employment',
  'residency',
  'passport',
  'company',
  'governmentId',
];
const ALL_INCLUDES = 'manager,department,employment,company,profile';

type Json = Record<string, unknown>;
interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function call(
  sandbox: RunningSandbox,
  token: string | undefined,
  path: string,
  query: Record<string, string | number> = {},
  init: RequestInit = {},
): Promise<Answer> {
  const url = new URL(path, sandbox.origin);
  for (const [name, value] of Object.entries(query)) url.searchParams.append(name, String(value));
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

const pagination = (answer: Answer) => answer.headers.get('x-pagination');

/** Every page of a list, walked by HasNext (at most 20 pages), with each page's answer. */
async function allPages(sandbox: RunningSandbox, token: string, query: Record<string, string | number>) {
  const pages: Answer[] = [];
  for (let page = 1; page <= 20; page += 1) {
    const answer = await call(sandbox, token, USERS, { ...query, page });
    expect(answer.status).toBe(200);
    pages.push(answer);
    if (!(JSON.parse(pagination(answer)!) as { HasNext: boolean }).HasNext) break;
  }
  return { pages, items: pages.flatMap((answer) => answer.body as Json[]) };
}

let sandbox: RunningSandbox;
const tokens = new Map<DemoUser, SandboxTokens>();
const tokenOf = (demoUser: DemoUser) => tokens.get(demoUser)!.access_token;

beforeAll(async () => {
  sandbox = await startSandbox({ SANDBOX_API_CONTROL: '1' });
  for (const demoUser of [alice, bob, carol]) tokens.set(demoUser, await signInForTokens(sandbox, demoUser));
});
afterAll(async () => {
  await sandbox.stop();
});

describe('GET /membership/v3/users', () => {
  it('pages through all of a 120+ company at limit 50 and 100 with the documented x-pagination header', async () => {
    const walks = [];
    for (const limit of [50, 100]) {
      const { pages, items } = await allPages(sandbox, tokenOf(alice), { limit });
      const total = items.length;
      const totalPages = Math.ceil(total / limit);
      expect(pages).toHaveLength(totalPages);
      pages.forEach((answer, index) => {
        const page = index + 1;
        const size = Math.min(limit, total - index * limit);
        expect(answer.body).toHaveLength(size);
        // Exactly as documented: PascalCase keys in this order, PageSize the objects in this response.
        expect(pagination(answer)).toBe(
          `{"TotalCount":${total},"PageSize":${size},"CurrentPage":${page},"TotalPages":${totalPages},` +
            `"HasNext":${page < totalPages},"HasPrevious":${page > 1}}`,
        );
      });
      walks.push(items.map((employee) => employee.userGuid));
    }
    const [by50, by100] = walks;
    expect(by50.length).toBeGreaterThanOrEqual(120);
    expect(Math.ceil(by50.length / 100)).toBeGreaterThanOrEqual(2);
    expect(new Set(by50).size).toBe(by50.length);
    expect(by100).toEqual(by50);
  });

  it('defaults to limit 50, page 1, and answers a page past the end with no one', async () => {
    const first = await call(sandbox, tokenOf(alice), USERS);
    const { TotalCount, TotalPages } = JSON.parse(pagination(first)!) as { TotalCount: number; TotalPages: number };
    expect(first.body).toHaveLength(50);
    expect(JSON.parse(pagination(first)!)).toMatchObject({ PageSize: 50, CurrentPage: 1, HasPrevious: false });

    const past = await call(sandbox, tokenOf(alice), USERS, { page: TotalPages + 1 });
    expect(past.status).toBe(200);
    expect(past.body).toEqual([]);
    expect(JSON.parse(pagination(past)!)).toEqual({
      TotalCount,
      PageSize: 0,
      CurrentPage: TotalPages + 1,
      TotalPages,
      HasNext: false,
      HasPrevious: true,
    });
  });

  it('returns the basic fields alone, and each include adds its own fields in the documented order', async () => {
    const basic = (await call(sandbox, tokenOf(alice), USERS, { limit: 3 })).body as Json[];
    for (const employee of basic) expect(Object.keys(employee)).toEqual(BASIC_FIELDS);

    const added: Record<string, string[]> = {
      manager: ['manager'],
      department: ['department'],
      employment: ['employment'],
      company: ['company'],
      profile: [
        'dateOfBirth',
        'dayOfBirth',
        'monthOfBirth',
        'yearOfBirth',
        'gender',
        'residency',
        'passport',
        'governmentId',
      ],
    };
    for (const [include, fields] of Object.entries(added)) {
      const [employee] = (await call(sandbox, tokenOf(alice), USERS, { limit: 1, page: 2, include })).body as Json[];
      expect(Object.keys(employee)).toEqual(
        ALL_FIELDS.filter((field) => BASIC_FIELDS.includes(field) || fields.includes(field)),
      );
    }
    const [all] = (await call(sandbox, tokenOf(alice), USERS, { limit: 1, include: ALL_INCLUDES })).body as Json[];
    expect(Object.keys(all)).toEqual(ALL_FIELDS);
    const spaced = await call(sandbox, tokenOf(alice), USERS, { limit: 1, include: ' Profile , MANAGER' });
    expect(Object.keys((spaced.body as Json[])[0])).toEqual(expect.arrayContaining(['manager', 'passport']));
  });

  it('fills every documented field realistically, managers and companies pointing at real records', async () => {
    for (const demoUser of [alice, carol]) {
      const { items } = await allPages(sandbox, tokenOf(demoUser), {
        limit: 100,
        include: ALL_INCLUDES,
        activeStatus: 'all',
      });
      const byGuid = new Map(items.map((employee) => [employee.userGuid, employee]));
      expect(items.filter((employee) => employee.manager === null)).toHaveLength(1); // the chief executive
      for (const employee of items) {
        expect(employee).toEqual({
          userGuid: expect.stringMatching(GUID),
          companyGuid: demoUser.claims.CompanyGUID,
          employeeId: expect.stringMatching(/^E\d{3}$/),
          userName: expect.stringMatching(/^[a-z.]+$/),
          email: `${employee.userName as string}@${demoUser.claims.email.split('@')[1]}`,
          fullName: expect.stringMatching(/^\S.* \S+$/),
          createdDate: expect.stringMatching(DAY),
          modifiedDate: expect.stringMatching(DAY),
          joinDate: expect.stringMatching(DAY),
          dateOfBirth: expect.stringMatching(DAY),
          dayOfBirth: Number((employee.dateOfBirth as string).slice(8)),
          monthOfBirth: Number((employee.dateOfBirth as string).slice(5, 7)),
          yearOfBirth: Number((employee.dateOfBirth as string).slice(0, 4)),
          gender: expect.stringMatching(/^(Female|Male)$/),
          isActive: expect.any(Boolean),
          manager: employee.manager === null ? null : expect.any(Object),
          images: {
            profileFullSize: expect.stringMatching(/^https:\/\/\S+\.jpg$/),
            profileThumbnail: expect.stringMatching(/^https:\/\/\S+\.jpg$/),
          },
          department: { departmentGuid: expect.stringMatching(GUID), name: expect.any(String) },
          employment: {
            designation: expect.any(String),
            designationCode: expect.stringMatching(/^[A-Z]+$/),
            employmentStatus: expect.stringMatching(/^(Confirmed|Probation|Resigned)$/),
            jobGradeId: expect.any(Number),
            jobGrade: expect.any(String),
            confirmationDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T23:59:59\.997$/),
          },
          residency: {
            name: expect.any(String),
            startDate: expect.stringMatching(/^(\d{4}-\d{2}-\d{2})?$/),
            endDate: expect.stringMatching(/^(\d{4}-\d{2}-\d{2})?$/),
          },
          passport: {
            passportNo: expect.stringMatching(/^[A-Z0-9]{9}$/),
            issueDate: expect.stringMatching(DAY),
            expiryDate: expect.stringMatching(DAY),
          },
          company: { name: demoUser.claims.CompanyName, companyGuid: demoUser.claims.CompanyGUID },
          governmentId: { value: expect.stringMatching(/^[STG]\d{7}[A-Z]$/) },
        });
        const [created, joined, modified] = [
          employee.createdDate,
          employee.joinDate,
          employee.modifiedDate,
        ] as string[];
        expect(created <= joined && joined <= modified).toBe(true);
        if (employee.manager !== null) {
          const manager = byGuid.get((employee.manager as Json).userGuid)!;
          expect(employee.manager).toEqual({
            userGuid: manager.userGuid,
            email: manager.email,
            fullName: manager.fullName,
            employeeId: manager.employeeId,
          });
        }
      }
    }
  });

  it('lists active users by default, and honours activeStatus=inactive and activeStatus=all', async () => {
    const active = (await allPages(sandbox, tokenOf(alice), { limit: 100 })).items;
    const inactive = (await allPages(sandbox, tokenOf(alice), { limit: 100, activeStatus: 'inactive' })).items;
    const all = (await allPages(sandbox, tokenOf(alice), { limit: 100, activeStatus: 'all' })).items;

    expect(active.every((employee) => employee.isActive === true)).toBe(true);
    expect(inactive.length).toBeGreaterThan(0);
    expect(inactive.every((employee) => employee.isActive === false)).toBe(true);
    expect(all.map((employee) => employee.userGuid).sort()).toEqual(
      [...active, ...inactive].map((employee) => employee.userGuid).sort(),
    );
    const withInclude = await call(sandbox, tokenOf(alice), USERS, { activeStatus: 'inactive', include: 'employment' });
    for (const employee of withInclude.body as Json[]) {
      expect((employee.employment as Json).employmentStatus).toBe('Resigned');
    }
  });

  it('filters by query=name[=]… case-insensitively, paged like any list', async () => {
    const everyone = (await allPages(sandbox, tokenOf(alice), { limit: 100, activeStatus: 'all' })).items;
    const tonys = everyone.filter((employee) => (employee.fullName as string).toLowerCase().includes('tony'));
    expect(tonys.length).toBeGreaterThanOrEqual(2);

    for (const query of ['name[=]tony', 'NAME[=]TONY', 'name[=]Tony']) {
      const found = await call(sandbox, tokenOf(alice), USERS, { query, activeStatus: 'all' });
      expect(found.status).toBe(200);
      expect((found.body as Json[]).map((employee) => employee.userGuid)).toEqual(tonys.map((e) => e.userGuid));
      expect(JSON.parse(pagination(found)!)).toMatchObject({ TotalCount: tonys.length, TotalPages: 1 });
    }
    const paged = await call(sandbox, tokenOf(alice), USERS, {
      query: 'name[=]tony',
      activeStatus: 'all',
      limit: 1,
      page: 2,
    });
    expect(paged.body).toEqual(
      [tonys[1]].map((employee) => Object.fromEntries(BASIC_FIELDS.map((f) => [f, employee[f]]))),
    );
    expect(JSON.parse(pagination(paged)!)).toMatchObject({ TotalCount: tonys.length, PageSize: 1, CurrentPage: 2 });

    const nobody = await call(sandbox, tokenOf(alice), USERS, { query: 'name[=]zzz-no-such-person' });
    expect([nobody.status, nobody.body]).toEqual([200, []]);
    expect(JSON.parse(pagination(nobody)!)).toMatchObject({ TotalCount: 0, TotalPages: 0, HasNext: false });
  });

  it.each([
    ['limit 0', { limit: 0 }],
    ['limit 101', { limit: 101 }],
    ['limit -1', { limit: -1 }],
    ['limit 1.5', { limit: '1.5' }],
    ['limit not a number', { limit: 'ten' }],
    ['page 0', { page: 0 }],
    ['page far beyond any company', { page: 100_001 }],
    ['page with 400 digits', { page: '9'.repeat(400) }],
    ['an unknown include', { include: 'manager,salary' }],
    ['an unknown activeStatus', { activeStatus: 'sometimes' }],
    ['a query on another field', { query: 'email[=]tony' }],
    ['a query without an operator', { query: 'tony' }],
    ['a query with an empty value', { query: 'name[=]' }],
    ['a query over 200 characters', { query: `name[=]${'a'.repeat(200)}` }],
  ])('answers 400 for %s', async (_name, query) => {
    const answer = await call(sandbox, tokenOf(alice), USERS, query);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ message: expect.any(String) });
  });

  it('answers 400 when a paging parameter is given twice', async () => {
    const answer = await call(sandbox, tokenOf(alice), `${USERS}?limit=10&limit=20`);
    expect(answer.status).toBe(400);
  });
});

describe('GET /membership/v3/users/{userGuid}', () => {
  it('returns one colleague, with includes, as the list shows them', async () => {
    const [listed] = (await call(sandbox, tokenOf(bob), USERS, { include: ALL_INCLUDES, page: 2, limit: 1 }))
      .body as Json[];
    const one = await call(sandbox, tokenOf(bob), `${USERS}/${listed.userGuid as string}`, { include: ALL_INCLUDES });
    expect([one.status, one.body]).toEqual([200, listed]);
    expect(one.headers.get('x-pagination')).toBeNull();

    const basic = await call(sandbox, tokenOf(bob), `${USERS}/${(listed.userGuid as string).toLowerCase()}`);
    expect(Object.keys(basic.body as Json)).toEqual(BASIC_FIELDS);
  });

  it('returns the signed-in user as the demo data describes them, and former colleagues too', async () => {
    const me = await call(sandbox, tokenOf(alice), `${USERS}/${alice.claims.UserGUID}`, {
      include: 'department,employment,company',
    });
    expect(me.body).toMatchObject({
      userGuid: alice.claims.UserGUID,
      companyGuid: ACME,
      userName: 'alice',
      email: alice.claims.email,
      fullName: alice.claims.name,
      isActive: true,
      department: { name: 'Human Resources' },
      company: { name: alice.claims.CompanyName, companyGuid: ACME },
    });
    const [former] = (await call(sandbox, tokenOf(alice), USERS, { activeStatus: 'inactive', limit: 1 }))
      .body as Json[];
    const found = await call(sandbox, tokenOf(alice), `${USERS}/${former.userGuid as string}`);
    expect([found.status, (found.body as Json).isActive]).toEqual([200, false]);
  });

  it('answers 404 for an unknown GUID and 400 for anything that is not a GUID', async () => {
    expect((await call(sandbox, tokenOf(alice), `${USERS}/${'0'.repeat(32)}`)).status).toBe(404);
    for (const bad of ['E004', '0BF91817-E2E6-4B0C-92F2-2FD24A9D4604', '..%2F..%2Fpayroll', 'G'.repeat(32)]) {
      expect((await call(sandbox, tokenOf(alice), `${USERS}/${bad}`)).status).toBe(400);
    }
  });
});

describe('payroll', () => {
  it('gives an HR Admin pay and bank information with the payroll module’s GUID casing', async () => {
    const pay = await call(sandbox, tokenOf(alice), payroll(bob.claims.UserGUID, 'payinfo'));
    expect(pay.status).toBe(200);
    expect(pay.body).toEqual({
      companyGUID: ACME,
      userGUID: bob.claims.UserGUID,
      payPeriod: expect.stringMatching(/^(Monthly|Fortnightly)$/),
      payMethod: expect.stringMatching(/^(bank|cash|cheque)$/),
      basicPay: expect.any(Number),
    });
    expect(Object.keys(pay.body as Json)).toEqual(['companyGUID', 'userGUID', 'payPeriod', 'payMethod', 'basicPay']);

    const bank = await call(sandbox, tokenOf(alice), payroll(alice.claims.UserGUID, 'bankinfo'));
    expect(bank.status).toBe(200);
    expect(bank.body).toEqual({
      companyGUID: ACME,
      userGUID: alice.claims.UserGUID,
      bankGUID: expect.stringMatching(GUID),
      branchGUID: expect.stringMatching(GUID),
      bankName: expect.any(String),
      branchNo: expect.stringMatching(/^\d{3}$/),
      branchName: expect.any(String),
      accountNo: expect.stringMatching(/^\d{9,12}$/),
    });
    expect(bank.headers.get('cache-control')).toBe('no-store');
  });

  it('answers 403 to a user without the HR Admin role, for colleagues and for themselves', async () => {
    for (const userGuid of [alice.claims.UserGUID, bob.claims.UserGUID]) {
      for (const what of ['payinfo', 'bankinfo'] as const) {
        const answer = await call(sandbox, tokenOf(bob), payroll(userGuid, what));
        expect(answer.status).toBe(403);
        expect(JSON.stringify(answer.body)).not.toMatch(/basicPay|accountNo/);
      }
    }
    expect((await call(sandbox, tokenOf(bob), USERS)).status).toBe(200);
  });
});

describe('leave', () => {
  it('lists the leave types assigned to an employee for a year', async () => {
    const answer = await call(sandbox, tokenOf(bob), `${leave(ACME, bob.claims.UserGUID)}/assignedleavetypes`, {
      whichyear: 2026,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      companyGuid: ACME,
      userGuid: bob.claims.UserGUID,
      leaveTypes: expect.arrayContaining([{ leaveType: expect.any(Number), leaveName: 'Annual' }]),
      whichYear: 2026,
      basedOnDate: '2026-01-01',
    });
    const { leaveTypes } = answer.body as { leaveTypes: { leaveType: number; leaveName: string }[] };
    expect(leaveTypes.every(({ leaveName }) => leaveName !== 'Maternity')).toBe(true); // bob

    const beforeJoining = await call(sandbox, tokenOf(bob), `${leave(ACME, bob.claims.UserGUID)}/assignedleavetypes`, {
      whichyear: 1990,
    });
    expect((beforeJoining.body as Json).leaveTypes).toEqual([]);
  });

  it('summarises one leave type on a date, the same way every time', async () => {
    const types = await call(sandbox, tokenOf(alice), `${leave(ACME, alice.claims.UserGUID)}/assignedleavetypes`, {
      whichyear: 2026,
    });
    const { leaveTypes } = types.body as { leaveTypes: { leaveType: number; leaveName: string }[] };
    const annual = leaveTypes.find((type) => type.leaveName === 'Annual')!;
    const path = `${leave(ACME, alice.claims.UserGUID)}/leavetypes/${annual.leaveType}/leavesummary`;

    const summary = await call(sandbox, tokenOf(alice), path, { baseondate: '2026-11-28' });
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({
      companyGuid: ACME,
      userGuid: alice.claims.UserGUID,
      leaveType: annual.leaveType,
      leaveName: 'Annual',
      baseOnDate: '2026-11-28',
    });
    const { earned, taken, pending, balance } = summary.body as Record<string, number>;
    expect(balance).toBe(earned - taken - pending);
    expect((await call(sandbox, tokenOf(alice), path, { baseondate: '2026-11-28' })).body).toEqual(summary.body);

    expect((await call(sandbox, tokenOf(alice), path, { baseondate: '2026-02-30' })).status).toBe(400);
    expect((await call(sandbox, tokenOf(alice), path, { baseondate: '28/11/2026' })).status).toBe(400);
    const unassigned = `${leave(ACME, alice.claims.UserGUID)}/leavetypes/9999/leavesummary`;
    expect((await call(sandbox, tokenOf(alice), unassigned, { baseondate: '2026-11-28' })).status).toBe(404);
  });

  it('answers 400 for a year that is not one', async () => {
    for (const whichyear of ['26', '20260', 'last', '1800']) {
      const answer = await call(sandbox, tokenOf(alice), `${leave(ACME, alice.claims.UserGUID)}/assignedleavetypes`, {
        whichyear,
      });
      expect(answer.status).toBe(400);
    }
  });
});

describe('company scoping', () => {
  it('shows each user their own company only', async () => {
    const acme = (await allPages(sandbox, tokenOf(bob), { limit: 100, activeStatus: 'all' })).items;
    const globex = (await allPages(sandbox, tokenOf(carol), { limit: 100, activeStatus: 'all' })).items;

    expect(acme.every((employee) => employee.companyGuid === ACME)).toBe(true);
    expect(globex.every((employee) => employee.companyGuid === GLOBEX)).toBe(true);
    expect(globex.map((employee) => employee.userGuid)).toContain(carol.claims.UserGUID);
    expect(acme.map((employee) => employee.userGuid)).not.toContain(carol.claims.UserGUID);
    expect(globex.length).toBeLessThan(acme.length);
  });

  it('answers 404, as for a stranger, for anyone or anything of another company', async () => {
    const [acmeEmployee] = (await call(sandbox, tokenOf(alice), USERS, { limit: 1 })).body as Json[];
    const acmeGuid = acmeEmployee.userGuid as string;
    expect((await call(sandbox, tokenOf(carol), `${USERS}/${acmeGuid}`)).status).toBe(404);
    expect((await call(sandbox, tokenOf(alice), `${USERS}/${carol.claims.UserGUID}`)).status).toBe(404);
    expect((await call(sandbox, tokenOf(alice), payroll(carol.claims.UserGUID, 'payinfo'))).status).toBe(404);
    expect((await call(sandbox, tokenOf(alice), payroll(carol.claims.UserGUID, 'bankinfo'))).status).toBe(404);
    for (const path of [
      leave(GLOBEX, carol.claims.UserGUID),
      leave(ACME, carol.claims.UserGUID),
      leave(GLOBEX, acmeGuid),
    ]) {
      expect((await call(sandbox, tokenOf(alice), `${path}/assignedleavetypes`, { whichyear: 2026 })).status).toBe(404);
      const summary = await call(sandbox, tokenOf(alice), `${path}/leavetypes/1/leavesummary`, {
        baseondate: '2026-11-28',
      });
      expect(summary.status).toBe(404);
    }
  });
});

describe('access tokens', () => {
  const everyEndpoint = () => [
    USERS,
    `${USERS}/${alice.claims.UserGUID}`,
    payroll(alice.claims.UserGUID, 'payinfo'),
    payroll(alice.claims.UserGUID, 'bankinfo'),
    `${leave(ACME, alice.claims.UserGUID)}/assignedleavetypes`,
    `${leave(ACME, alice.claims.UserGUID)}/leavetypes/1/leavesummary`,
  ];

  it('answers 401 with an invalid_token challenge for a token it did not issue as an access token', async () => {
    const { refresh_token, id_token } = tokens.get(alice)!;
    for (const token of [randomBytes(32).toString('base64url'), refresh_token, id_token, 'x'.repeat(5000)]) {
      for (const path of everyEndpoint()) {
        const answer = await call(sandbox, token, path);
        expect(answer.status).toBe(401);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        expect(JSON.stringify(answer.body)).not.toContain(token.slice(0, 16));
      }
    }
  });

  it('answers 401 with a bare Bearer challenge when there is no Bearer token', async () => {
    for (const authorization of [
      undefined,
      `Basic ${Buffer.from('demo-client:demo-secret').toString('base64')}`,
      'Bearer',
    ]) {
      const answer = await call(sandbox, undefined, USERS, {}, { headers: authorization ? { authorization } : {} });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
  });

  it('answers 401 once the access token has expired', async () => {
    const shortLived = await startSandbox({ SANDBOX_ACCESS_TOKEN_TTL: '1' });
    try {
      const { access_token, expires_in } = await signInForTokens(shortLived, alice);
      expect(expires_in).toBe(1);
      // The token lives at most a second: poll until the sandbox refuses it (bounded), then never accepts it again.
      const statuses: number[] = [];
      const deadline = Date.now() + 10_000;
      let last: Answer;
      do {
        last = await call(shortLived, access_token, USERS, { limit: 1 });
        statuses.push(last.status);
        if (last.status === 200) await new Promise((resolve) => setTimeout(resolve, 100));
      } while (last.status === 200 && Date.now() < deadline);
      expect(last.status).toBe(401);
      expect(last.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(statuses.every((status, index) => status === 200 || index === statuses.length - 1)).toBe(true);
      expect((await call(shortLived, access_token, payroll(alice.claims.UserGUID, 'payinfo'))).status).toBe(401);
    } finally {
      await shortLived.stop();
    }
  });

  it('refuses other methods than GET with 405', async () => {
    const answer = await call(sandbox, tokenOf(alice), USERS, {}, { method: 'POST' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('test-only fault switch', () => {
  const faults = (init?: RequestInit) =>
    fetch(`${sandbox.origin}/_sandbox/api-faults`, init).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as Json,
    }));
  const setFault = (fault: Json) =>
    faults({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });

  it('answers 429 with Retry-After for the next N API calls, then serves again', async () => {
    expect((await setFault({ status: 429, count: 2, retryAfter: 3 })).body).toMatchObject({
      status: 429,
      remaining: 2,
    });
    const before = (await faults()).body.apiCalls as number;

    for (let i = 0; i < 2; i += 1) {
      const limited = await call(sandbox, tokenOf(alice), USERS);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('3');
    }
    expect((await call(sandbox, tokenOf(alice), USERS)).status).toBe(200);
    expect((await faults()).body).toEqual({ status: 429, remaining: 0, retryAfter: 3, apiCalls: before + 3 });
  });

  it('answers 503 for the next N API calls, whatever the token', async () => {
    await setFault({ status: 503, count: 2 });
    expect((await call(sandbox, undefined, USERS)).status).toBe(503);
    const unavailable = await call(sandbox, tokenOf(bob), payroll(bob.claims.UserGUID, 'payinfo'));
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBeNull();
    expect((await call(sandbox, tokenOf(bob), payroll(bob.claims.UserGUID, 'payinfo'))).status).toBe(403);
  });

  it('refuses a fault it does not know', async () => {
    for (const fault of [
      { status: 418, count: 1 },
      { status: 429, count: 1001 },
      { status: 429, count: 1, retryAfter: -1 },
      { status: 429 },
    ]) {
      expect((await setFault(fault)).status).toBe(400);
    }
    const notJson = await faults({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(notJson.status).toBe(400);
    const huge = await faults({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 429, count: 1, pad: 'x'.repeat(5000) }),
    });
    expect(huge.status).toBe(413);
    expect((await faults()).body.remaining).toBe(0);
  });

  it('is set at start by SANDBOX_API_FAULT, and has no control endpoint without SANDBOX_API_CONTROL=1', async () => {
    const other = await startSandbox({ SANDBOX_API_FAULT: '429:2:7' });
    try {
      const token = (await signInForTokens(other, alice)).access_token;
      for (let i = 0; i < 2; i += 1) {
        const limited = await call(other, token, USERS);
        expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
      }
      expect((await fetch(`${other.origin}/_sandbox/api-faults`)).status).toBe(404);

      // Same seed, same data: another start serves exactly what the first one does.
      const query = { limit: 100, activeStatus: 'all', include: ALL_INCLUDES };
      expect((await allPages(other, token, query)).items).toEqual(
        (await allPages(sandbox, tokenOf(alice), query)).items,
      );
    } finally {
      await other.stop();
    }
  });

  it('refuses to start with an API fault it cannot read', async () => {
    await expect(startSandbox({ SANDBOX_API_FAULT: '418:1' })).rejects.toThrow(
      new TypeError('faults.api.status must be one of 429, 500, 502, 503, 504'),
    );
    const cli = spawnSync(process.execPath, [SANDBOX_COMMAND, '--api-fault', 'often'], {
      encoding: 'utf8',
    });
    expect([cli.status, cli.stderr]).toEqual([
      2,
      'justlogin-sandbox: --api-fault must look like status:count or status:count:retryAfter, e.g. 429:3 (see --help)\n',
    ]);
  });
});
