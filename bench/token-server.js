'use strict';
// A stand-in for JustLogin's token endpoint and JWKS on 127.0.0.1, run as its
// own process so its CPU is not counted. Every grant gets the same
// JustLogin-shaped answer with an RS256 id_token (2048-bit key, as JustLogin's);
// an authorization code is the nonce to echo in it.
const http = require('node:http');
const { generateKeyPairSync, sign } = require('node:crypto');
const { serve } = require('./child');
const { clientID, clientSecret } = require('./client');

const ISSUER = 'http://127.0.0.1';
const KID = 'bench-key';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const JWKS = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] };
let requests = 0;

function segment(json) {
  return Buffer.from(JSON.stringify(json)).toString('base64url');
}

function idToken(nonce) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: ISSUER, sub: 'bench-user', aud: clientID, exp: now + 300, iat: now };
  if (nonce) claims.nonce = nonce;
  const input = `${segment({ alg: 'RS256', typ: 'JWT', kid: KID })}.${segment(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
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
    if (req.method === 'GET' && req.url === '/jwks') return reply(res, 200, JWKS);
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
