// `npm run sandbox`: start the JustLogin sandbox identity server, configured by environment variables.
import { DEMO_USERS } from './accounts.mjs';
import { FAULTS_PATH, parseFault } from './api-faults.mjs';
import { startSandbox } from './server.mjs';

function fail(message) {
  console.error(`JustLogin sandbox: ${message}`);
  process.exit(1);
}

function integerFromEnv(name, fallback, min) {
  const raw = process.env[name] ?? '';
  if (raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) fail(`${name} must be an integer >= ${min}, got "${raw}"`);
  return value;
}

function faultFromEnv(name) {
  const raw = process.env[name] ?? '';
  if (raw === '') return undefined;
  try {
    return parseFault(raw);
  } catch (err) {
    return fail(`${name} ${err.message}, got "${raw}"`);
  }
}

const options = {
  host: process.env.SANDBOX_HOST || '127.0.0.1',
  port: integerFromEnv('SANDBOX_PORT', 4000, 0),
  clientId: process.env.JUSTLOGIN_SANDBOX_CLIENT_ID || 'demo-client',
  clientSecret: process.env.JUSTLOGIN_SANDBOX_CLIENT_SECRET || 'demo-secret',
  redirectUris: (process.env.JUSTLOGIN_SANDBOX_REDIRECT_URIS || 'http://localhost:3000/auth/justlogin/callback')
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean),
  accessTokenTTL: integerFromEnv('SANDBOX_ACCESS_TOKEN_TTL', 3600, 1),
  logTokenRequests: process.env.SANDBOX_LOG_TOKEN_REQUESTS === '1',
  apiFault: faultFromEnv('SANDBOX_API_FAULT'),
  apiControl: process.env.SANDBOX_API_CONTROL === '1',
};
if (options.port > 65535) fail(`SANDBOX_PORT must be at most 65535, got ${options.port}`);

let sandbox;
try {
  sandbox = await startSandbox(options);
} catch (err) {
  if (err.syscall !== 'listen') throw err;
  fail(
    err.code === 'EADDRINUSE'
      ? `port ${options.port} on ${options.host} is already in use (set SANDBOX_PORT to another port, or 0 for any free port)`
      : `cannot listen on ${options.host}:${options.port} (${err.code})`,
  );
}

console.log(`JustLogin sandbox listening: issuer=${sandbox.issuer}`);
console.log(`client_id=${options.clientId} redirect_uris=${options.redirectUris.join(',')}`);
console.log('Demo users (Company Id / Username / Password):');
for (const user of DEMO_USERS) {
  console.log(`  ${user.companyId} / ${user.username} / ${user.password}  (${user.claims.name}, ${user.claims.role})`);
}
console.log(`API: ${sandbox.origin}/membership/v3/users and the other documented endpoints`);
if (options.apiControl) console.log(`API fault switch (test-only): ${sandbox.origin}${FAULTS_PATH}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await sandbox.close();
    process.exit(0);
  });
}
