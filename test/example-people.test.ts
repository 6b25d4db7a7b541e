import type { Server } from 'node:http';
import session from 'express-session';
import { decode, ExampleBrowser, signInThroughSandbox } from './support/example-browser';
import { freePort } from './support/free-port';
import { DEMO_USERS, startSandbox, type DemoUser, type RunningSandbox } from './support/sandbox';

// The example app's People page (example-app/app.js) on the sandbox: the signed-in user's colleagues
// page by page, their own leave types and, for an HR admin, their pay; JustLogin's API is called with
// the session's tokens, renewed during the page when due or refused, and written back to the session.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../example-app/app') as { createApp: (config: object) => import('express').Express };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pages = require('../example-app/pages') as { people: (view: object) => string };

/** Colleagues on one page of the app (its `limit` for employees.listPage). */
const PAGE_SIZE = 25;

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;
const bob = DEMO_USERS.find((user) => user.username === 'bob')!;

interface TokensInSession {
  accessToken: string;
  refreshToken: string;
  idToken?: string;
  expiresAt: number;
}
type StoredSession = session.SessionData & {
  passport?: { user?: { profile: { id: string }; tokens: TokensInSession } };
};

interface Example {
  sandbox: RunningSandbox;
  appURL: string;
  store: session.MemoryStore;
  stop(): Promise<void>;
}

/** The sandbox (with `env`) and the example app on it, on localhost. */
async function startExample(env: Record<string, string> = {}): Promise<Example> {
  const port = await freePort();
  const appURL = `http://localhost:${port}`;
  const callbackURL = `${appURL}/auth/justlogin/callback`;
  const sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL, ...env });
  const store = new session.MemoryStore();
  let server: Server;
  try {
    const app = createApp({
      justlogin: {
        clientID: sandbox.clientID,
        clientSecret: sandbox.clientSecret,
        callbackURL,
        baseURL: sandbox.origin,
      },
      sessionSecret: 'example-people-test-session-secret',
      sessionStore: store,
    });
    server = await new Promise<Server>((resolve, reject) => {
      const listening = app.listen(port, '127.0.0.1', () => resolve(listening)).once('error', reject);
    });
  } catch (error) {
    await sandbox.stop(); // a failed start leaves nothing running
    throw error;
  }
  return {
    sandbox,
    appURL,
    store,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await sandbox.stop();
    },
  };
}

let example: Example;
beforeAll(async () => {
  example = await startExample();
});
afterAll(async () => {
  await example?.stop();
});
afterEach(async () => {
  await new Promise<void>((resolve) => example.store.clear(() => resolve()));
});

async function signIn(user: DemoUser, on: Example = example): Promise<ExampleBrowser> {
  const browser = new ExampleBrowser();
  const page = await signInThroughSandbox(browser, `${on.appURL}/auth/justlogin`, user);
  expect(page.url.href).toBe(`${on.appURL}/profile`);
  return browser;
}

/** The session (id and data) of the signed-in `user` in the app's store. */
async function sessionOf(user: DemoUser, on: Example = example): Promise<[string, StoredSession]> {
  const all = await new Promise<Record<string, StoredSession>>((resolve, reject) =>
    on.store.all((err, sessions) => (err ? reject(new Error('the session store failed')) : resolve(sessions as never))),
  );
  const found = Object.entries(all).filter(([, data]) => data.passport?.user?.profile.id === user.claims.sub);
  expect(found).toHaveLength(1);
  return found[0];
}

async function tokensOf(user: DemoUser, on: Example = example): Promise<TokensInSession> {
  return (await sessionOf(user, on))[1].passport!.user!.tokens;
}

/** Changes the tokens kept in `user`'s session, as time or another instance would. */
async function changeTokens(user: DemoUser, change: Partial<TokensInSession>, on: Example = example): Promise<void> {
  const [sid, data] = await sessionOf(user, on);
  Object.assign(data.passport!.user!.tokens, change);
  await new Promise<void>((resolve, reject) =>
    on.store.set(sid, data, (err) => (err ? reject(new Error('the session store failed')) : resolve())),
  );
}

/** What JustLogin's API (the sandbox) answers `path` with `accessToken`: status, JSON body and x-pagination. */
async function callApi(path: string, accessToken: string, on: Example = example) {
  const res = await fetch(`${on.sandbox.origin}${path}`, { headers: { Authorization: `Bearer ${accessToken}` } });
  const pagination = res.headers.get('x-pagination');
  return { status: res.status, body: (await res.json()) as never, pagination: pagination && JSON.parse(pagination) };
}

/** The rows (name, department, designation) of the page's colleagues table. */
function colleaguesOn(html: string): string[][] {
  const table = /<table id="people">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map(([, cell]) => decode(cell)),
  );
}

/** The page links: href of the "Previous page" and "Next page" links, when there. */
function pageLinks(html: string): { previous?: string; next?: string } {
  return {
    previous: /<a href="([^"]*)" rel="prev">Previous page<\/a>/.exec(html)?.[1],
    next: /<a href="([^"]*)" rel="next">Next page<\/a>/.exec(html)?.[1],
  };
}

type ApiEmployee = { fullName: string; department?: { name: string }; employment?: { designation: string } };

/** Page `page` of the colleagues as the API gives them to `accessToken`, as the app's table shows them. */
async function expectedPage(page: number, accessToken: string) {
  const { status, body, pagination } = await callApi(
    `/membership/v3/users?include=department,employment&limit=${PAGE_SIZE}&page=${page}`,
    accessToken,
  );
  expect(status).toBe(200);
  const rows = (body as ApiEmployee[]).map((e) => [
    e.fullName,
    e.department?.name ?? '',
    e.employment?.designation ?? '',
  ]);
  return { rows, pagination: pagination as { TotalPages: number; TotalCount: number } };
}

const refreshes = (on: Example = example) =>
  on.sandbox.tokenRequests.filter((line) => line.includes('grant_type=refresh_token')).length;

it('shows an HR admin her colleagues page by page, her leave types and her pay', async () => {
  const browser = await signIn(alice);
  const { accessToken } = await tokensOf(alice);

  const first = await browser.open(`${example.appURL}/people`);
  expect(first.status).toBe(200);
  const page1 = await expectedPage(1, accessToken);
  expect(page1.pagination.TotalPages).toBeGreaterThan(2);
  expect(colleaguesOn(first.html)).toEqual(page1.rows);
  expect(colleaguesOn(first.html)).toHaveLength(PAGE_SIZE);
  expect(first.html).toContain(`Page 1 of ${page1.pagination.TotalPages} (${page1.pagination.TotalCount} people)`);
  expect(pageLinks(first.html)).toEqual({ next: '/people?page=2' });

  const second = await browser.open(new URL(pageLinks(first.html).next!, example.appURL));
  expect(colleaguesOn(second.html)).toEqual((await expectedPage(2, accessToken)).rows);
  expect(pageLinks(second.html)).toEqual({ previous: '/people?page=1', next: '/people?page=3' });

  const lastNumber = page1.pagination.TotalPages;
  const last = await browser.open(`${example.appURL}/people?page=${lastNumber}`);
  const lastRows = (await expectedPage(lastNumber, accessToken)).rows;
  expect(lastRows.length).toBeGreaterThan(0);
  expect(colleaguesOn(last.html)).toEqual(lastRows);
  expect(pageLinks(last.html)).toEqual({ previous: `/people?page=${lastNumber - 1}` });

  const year = new Date().getFullYear();
  const { CompanyGUID, UserGUID } = alice.claims;
  const leave = await callApi(
    `/leave/setup/leave/v2/companies/${CompanyGUID}/users/${UserGUID}/assignedleavetypes?whichyear=${year}`,
    accessToken,
  );
  const leaveNames = (leave.body as { leaveTypes: { leaveName: string }[] }).leaveTypes.map((t) => t.leaveName);
  expect(leaveNames.length).toBeGreaterThan(0);
  const shownLeave = /<ul id="leave-types"[^>]*>([\s\S]*?)<\/ul>/.exec(first.html)?.[1] ?? '';
  expect([...shownLeave.matchAll(/<li>([\s\S]*?)<\/li>/g)].map(([, name]) => decode(name))).toEqual(leaveNames);
  expect(first.html).toContain(`Your leave types in ${year}`);

  const pay = await callApi(`/payroll/employee-management/v1/users/${UserGUID}/payinfo`, accessToken);
  const { payPeriod, payMethod, basicPay } = pay.body as { payPeriod: string; payMethod: string; basicPay: number };
  const shownPay = /<table id="pay">([\s\S]*?)<\/table>/.exec(first.html)?.[1] ?? '';
  const method = { bank: 'Bank transfer', cash: 'Cash', cheque: 'Cheque' }[payMethod];
  const sgd = new Intl.NumberFormat('en-SG', { style: 'currency', currency: 'SGD', currencyDisplay: 'code' });
  expect(shownPay).toContain(`<th scope="row">Pay period</th><td>${payPeriod}</td>`);
  expect(shownPay).toContain(`<th scope="row">Pay method</th><td>${method}</td>`);
  expect(shownPay).toContain(
    `<th scope="row">Basic pay</th><td><span class="amount">${sgd.format(basicPay)}</span></td>`,
  );
  expect(sgd.format(basicPay)).toMatch(/^SGD\s[\d,]+\.\d\d$/);
});

it('shows an employee the colleagues and leave types, and for pay a plain note instead of an error page', async () => {
  const browser = await signIn(bob);
  const page = await browser.open(`${example.appURL}/people?page=2`);
  expect(page.status).toBe(200);
  const { accessToken } = await tokensOf(bob);
  expect(colleaguesOn(page.html)).toEqual((await expectedPage(2, accessToken)).rows);
  expect(page.html).toMatch(/<ul id="leave-types"[^>]*>\s*<li>/);
  expect(page.html).toContain('<p id="pay">Only HR administrators see pay information.</p>');
  expect(page.html).not.toContain('<table id="pay">');
  expect(page.html).not.toMatch(/403|went wrong/i);
});

it('reads the first page for a page number that is not one', async () => {
  const browser = await signIn(bob);
  for (const query of ['page=0', 'page=-1', 'page=abc', 'page=2&page=3', 'page=1e3']) {
    const page = await browser.open(`${example.appURL}/people?${query}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Page 1 of ');
  }
});

it('renews an access token that is due during the page and keeps the renewed tokens in the session', async () => {
  const browser = await signIn(alice);
  const before = await tokensOf(alice);
  await changeTokens(alice, { expiresAt: Math.floor(Date.now() / 1000) - 10 });
  const logged = example.sandbox.tokenRequests.length;
  const renewals = refreshes();

  const page = await browser.open(`${example.appURL}/people`);
  expect(page.status).toBe(200);
  expect(colleaguesOn(page.html)).toHaveLength(PAGE_SIZE);
  expect(page.html).toContain('<table id="pay">');
  await example.sandbox.waitForTokenRequests(logged + 1);
  expect(refreshes() - renewals).toBe(1);
  const after = await tokensOf(alice);
  expect(after.accessToken).not.toBe(before.accessToken);
  expect(after.refreshToken).not.toBe(before.refreshToken);
  expect(after.expiresAt).toBeGreaterThan(Date.now() / 1000 + 60);

  // The next page uses the renewed tokens from the session as they are.
  await browser.open(`${example.appURL}/people?page=2`);
  expect(await tokensOf(alice)).toEqual(after);
});

it('renews once when the sandbox refuses an access token that has expired there, and the page renders', async () => {
  // Access tokens live 3 s at this sandbox; the session says they live long, so only the 401 tells.
  const short = await startExample({ SANDBOX_ACCESS_TOKEN_TTL: '3' });
  try {
    const browser = await signIn(alice, short);
    const before = await tokensOf(alice, short);
    await changeTokens(alice, { expiresAt: Math.floor(Date.now() / 1000) + 3600 }, short);
    const users = '/membership/v3/users?limit=1';
    while ((await callApi(users, before.accessToken, short)).status !== 401) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const renewals = refreshes(short);

    const logged = short.sandbox.tokenRequests.length;

    const page = await browser.open(`${short.appURL}/people`);
    expect(page.status).toBe(200);
    expect(colleaguesOn(page.html)).toHaveLength(PAGE_SIZE);
    expect(page.html).toContain('<table id="pay">');
    await short.sandbox.waitForTokenRequests(logged + 1);
    expect(refreshes(short) - renewals).toBe(1);
    const after = await tokensOf(alice, short);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
  } finally {
    await short.stop();
  }
});

it('signs the user out with a message when JustLogin refuses the refresh token', async () => {
  const browser = await signIn(bob);
  await changeTokens(bob, { expiresAt: Math.floor(Date.now() / 1000) - 10, refreshToken: 'not-a-refresh-token' });
  const page = await browser.open(`${example.appURL}/people`);
  expect(page.url.href).toBe(`${example.appURL}/`);
  expect(page.html).toContain('Your JustLogin session has ended. Please sign in again.');
  expect(page.html).toContain('Sign in with JustLogin');
  const again = await browser.open(`${example.appURL}/`);
  expect(again.html).not.toContain('Your JustLogin session has ended');
});

it('sends a signed-out visitor to sign in first, then back to the People page', async () => {
  const browser = new ExampleBrowser();
  const page = await signInThroughSandbox(browser, `${example.appURL}/people?page=2`, bob);
  expect(page.url.href).toBe(`${example.appURL}/people?page=2`);
  expect(page.html).toContain('Page 2 of ');
});

it('escapes everything it shows from the API', () => {
  const hostile = '<script>alert(1)</script>';
  const html = pages.people({
    user: { profile: { displayName: hostile }, claims: { CompanyName: hostile } },
    colleagues: {
      items: [{ fullName: hostile, department: { name: `"${hostile}` }, employment: { designation: `'${hostile}` } }],
      pagination: { totalCount: 1, pageSize: 1, currentPage: 1, totalPages: 1, hasNext: false, hasPrevious: false },
    },
    leave: { year: 2026, leaveTypes: [{ leaveType: 1, leaveName: hostile }] },
    pay: { payPeriod: hostile, payMethod: hostile, basicPay: hostile },
  });
  expect(html).not.toContain('<script>');
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).toContain('&quot;&lt;script&gt;');
  expect(html).toContain('&#39;&lt;script&gt;');
});
