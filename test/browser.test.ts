import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { startSandbox, type RunningSandbox } from './support/sandbox';
import { freePort } from './support/free-port';
import { CHROMIUM, requireProgram } from './support/programs';

// A real Chromium clicks through the example app and the JustLogin sandbox:
// sign-in button, Company Id / Username / Password, consent, profile, renew,
// sign out. The test fails, never skips, when the browser cannot start. CHROMIUM_PATH names
// another Chromium or Chrome binary.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createApp } = require('../example-app/app') as { createApp: (config: object) => import('express').Express };

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
  sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL });
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

it('signs in through the JustLogin pages, shows the profile, renews the tokens and signs out', async () => {
  const page = await browser.newPage();
  await page.goto(appURL);
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

  await page.waitForURL(`${appURL}/profile`);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Hello, Alice Tan');
  const expiry = await page.locator('#tokens td').first().textContent();
  expect(expiry).toMatch(/^\d{4}-\d\d-\d\dT.*Z \(in \d+ s\)$/);
  await expect(page.locator('#claims').textContent()).resolves.toContain('Acme Corporation');

  await page.getByRole('button', { name: 'Renew tokens' }).click();
  await page.waitForURL(`${appURL}/profile?renewed=1`);
  await expect(page.getByRole('status').textContent()).resolves.toBe('Your tokens were renewed.');
  expect(sandbox.tokenRequests.some((line) => line.includes('grant_type=refresh_token status=200'))).toBe(true);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${appURL}/`);
  await expect(page.getByRole('link', { name: 'Sign in with JustLogin' }).isVisible()).resolves.toBe(true);
});
