// justlogin-sandbox for ES modules: the sandbox runs in this process.
import signInModule from './lib/sign-in.cjs';

export { DEMO_USERS } from './lib/accounts.mjs';
export { startSandbox } from './lib/server.mjs';
export const { CookieJar, SandboxSignInError, signIn } = signInModule;
