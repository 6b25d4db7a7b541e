import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startSandbox, type RunningSandbox } from './support/sandbox';
import { freePort } from './support/free-port';
import { CHROMIUM, requireProgram } from './support/programs';

// A real Chromium clicks through the example app and the JustLogin sandbox:
// sign-in button, Company Id / Username / Password, consent, profile, People, renew,
// sign out, and checks what a person sees on the way. Screenshots of the home, profile and People
// pages go to test/.snippets/screenshots/. The test fails, never skips, when the browser cannot start.
// CHROMIUM_PATH names another Chromium or Chrome binary.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../example-app/app') as { createApp: (config: object) => import('express').Express };

const SCREENSHOTS = join(__dirname, '.snippets', 'screenshots');

/** A date and time as the pages write them for people: "3 May 2026 at 14:05". */
const READABLE_TIME = /^\d{1,2} [A-Z][a-z]+ \d{4} at \d\d:\d\d$/;

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let sandbox: RunningSandbox;
let server: Server;
let browser: Browser;
let appURL: string;

beforeAll(async () => {
  const executablePath = requireProgram(CHROMIUM);
  const port = await freePort();
  appURL = `http://localhost:${port}`;
  const callbackURL = `${appURL}/auth/justlogin/callback`;
  sandbox = await startSandbox({
    JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL,
    SANDBOX_POST_LOGOUT_REDIRECT_URIS: `${appURL}/auth/signed-out`,
  });
  const app = createApp({
    justlogin: { clientID: sandbox.clientID, clientSecret: sandbox.clientSecret, callbackURL, baseURL: sandbox.origin },
    sessionSecret: 'browser-test-session-secret',
  });
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
});
afterAll(async () => {
  await browser?.close();
  if (server) await new Promise((resolve) => server.close(resolve));
  await sandbox?.stop();
});

it('signs in through the JustLogin pages, shows the profile and People pages as a person reads them, renews the tokens and signs out', async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  await page.goto(appURL);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Team Portal');
  await page.screenshot({ path: join(SCREENSHOTS, 'home.png'), fullPage: true });
  await page.getByRole('link', { name: 'Sign in with JustLogin' }).click();

  await page.waitForURL(`${sandbox.origin}/**`);
  await page.getByLabel('Company Id').fill('ACME');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  expect(page.url().startsWith(sandbox.origin)).toBe(true);

  await page.getByLabel('Company Id').fill('ACME');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Yes' }).click();

  // The profile: who, where, when; the claims only on request, and never the nonce or a token.
  await page.waitForURL(`${appURL}/profile`);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Hello, Alice Tan');
  await expect(page.locator('header').innerText()).resolves.toContain('Alice Tan · Acme Corporation');
  await expect(page.locator('.lead').innerText()).resolves.toBe('HR Admin, Manager at Acme Corporation');
  await expect(page.locator('#account dd').allInnerTexts()).resolves.toEqual([
    'Alice Tan',
    'Acme Corporation',
    'alice@acme.example',
    'alice',
  ]);
  const [signedIn, access] = await page.locator('#sign-in dd').allInnerTexts();
  expect(signedIn).toMatch(READABLE_TIME);
  expect(access).toMatch(/^(.+) \(in (59|60) minutes\), renewed when due$/);
  expect(access.split(' (')[0]).toMatch(READABLE_TIME);
  await expect(page.getByRole('rowheader', { name: 'CompanyGUID' }).isVisible()).resolves.toBe(false);
  await page.screenshot({ path: join(SCREENSHOTS, 'profile.png'), fullPage: true });

  await page.getByText('What JustLogin told this app about you').click();
  await expect(page.getByRole('rowheader', { name: 'CompanyGUID' }).isVisible()).resolves.toBe(true);
  const claims = await page.locator('#claims table').innerText();
  expect(claims).toContain('Acme Corporation');
  for (const time of ['exp', 'iat', 'auth_time']) {
    const cell = page.getByRole('row', { name: new RegExp(`^${time} `) }).getByRole('cell');
    await expect(cell.innerText()).resolves.toMatch(READABLE_TIME);
  }
  expect(claims).not.toMatch(/nonce|at_hash|\bsid\b/);
  expect(claims).not.toMatch(/\b\d{10}\b/); // no time as seconds since 1970
  expect(await page.content()).not.toMatch(/eyJ[\w-]+\.[\w-]+\./); // no JWT: no id_token or access token
  await page.screenshot({ path: join(SCREENSHOTS, 'profile-details.png'), fullPage: true });

  // People: colleagues, leave types and pay with its currency.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  await page.waitForURL(`${appURL}/people`);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('People at Acme Corporation');
  await expect(page.locator('#people tbody tr').count()).resolves.toBe(25);
  await expect(page.locator('#leave-types li').count()).resolves.toBeGreaterThan(0);
  const pay = await page.locator('#pay').innerText();
  expect(pay).toMatch(/^Basic pay\tSGD\s[1-9]\d{0,2}(,\d{3})*\.\d\d$/m);
  expect(pay).toMatch(/^Pay method\t(Bank transfer|Cash|Cheque)$/m);
  await page.screenshot({ path: join(SCREENSHOTS, 'people.png'), fullPage: true });

  await page.getByRole('link', { name: 'Your profile' }).click();
  await page.getByRole('button', { name: 'Renew tokens' }).click();
  await page.waitForURL(`${appURL}/profile?renewed=1`);
  await expect(page.getByRole('status').textContent()).resolves.toBe('Your tokens were renewed.');
  expect(sandbox.tokenRequests.some((line) => line.includes('grant_type=refresh_token status=200'))).toBe(true);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${appURL}/`);
  await expect(page.getByRole('link', { name: 'Sign in with JustLogin' }).isVisible()).resolves.toBe(true);
});
