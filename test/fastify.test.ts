// The Fastify example (example-app/fastify: @fastify/passport, @fastify/secure-session and
// keepTokensFreshFastify), run as its own process on the built package, on the JustLogin sandbox,
// driven over HTTP as a browser would. (@fastify/cookie loads `cookie` with import(): not in Jest's VM.)
import { join } from 'node:path';
import { describeFastifyExample } from './support/fastify-example';
import { DEMO_USERS } from './support/sandbox';

describeFastifyExample('the Fastify example', join(__dirname, '..', 'example-app', 'fastify', 'main.js'), {
  passport: '@fastify/passport',
  profile: { id: DEMO_USERS[0].claims.sub, name: 'Alice Tan' },
  signedOut: { error: 'sign_in_required' },
  refusedRefresh: { error: 'reauthentication_required' },
  refusedState: 403,
  unavailable: { error: 'justlogin_unavailable' },
});
