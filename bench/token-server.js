'use strict';
// A stand-in for JustLogin's token endpoint on 127.0.0.1, run as its own
// process so its CPU is not counted. Every grant gets the same JustLogin-shaped
// answer with an id_token; an authorization code is the nonce to echo in it.
const http = require('node:http');
const { serve } = require('./child');
const { clientID, clientSecret } = require('./client');

let requests = 0;

function segment(json) {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

/** An id_token with a placeholder signature (the strategy checks claims only by default). */
function idToken(nonce) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: 'http://127.0.0.1', sub: 'bench-user', aud: clientID, exp: now + 300, iat: now };
  if (nonce) claims.nonce = nonce;
  return `${segment({ alg: 'RS256', typ: 'JWT', kid: 'bench' })}.${segment(claims)}.${segment('placeholder')}`;
}

function reply(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    requests++;
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (req.method !== 'POST' || req.url !== '/token') return reply(res, 404, { error: 'not_found' });
    if (form.get('client_id') !== clientID || form.get('client_secret') !== clientSecret) {
      return reply(res, 401, { error: 'invalid_client' });
    }
    const code = form.get('grant_type') === 'authorization_code' ? form.get('code') : undefined;
    reply(res, 200, {
      id_token: idToken(code),
      access_token: 'bench-access-token',
      expires_in: 3600,
      token_type: 'Bearer',
      refresh_token: 'bench-refresh-token',
      scope: 'openid',
    });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => serve(server.address().port, { count: () => ({ count: requests }) }));
