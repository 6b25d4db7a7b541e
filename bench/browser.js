'use strict';
// One browser that signs in again and again: it keeps its session cookie,
// reads state (and the nonce, when sent) from the /login redirect, and comes
// back to /callback with the nonce as the code, for the token server to echo.
// Without a nonce (passport-oauth2) the code is a random value of the same size.
const http = require('node:http');
const { randomBytes } = require('node:crypto');

const TIMEOUT_MS = 10_000;

class Browser {
  constructor(port) {
    this.port = port;
    this.cookie = undefined;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  /** Completes `count` sign-ins one after another. */
  async signIns(count) {
    for (let i = 0; i < count; i++) await this.signIn();
  }

  async signIn() {
    const login = await this.get('/login');
    if (login.statusCode !== 302) throw new Error(`/login answered HTTP ${login.statusCode}`);
    const authorize = new URL(login.headers.location);
    const code = authorize.searchParams.get('nonce') ?? randomBytes(32).toString('base64url');
    const state = authorize.searchParams.get('state');
    const callback = await this.get(`/callback?${new URLSearchParams({ code, state })}`);
    if (callback.statusCode !== 200) throw new Error(`/callback answered HTTP ${callback.statusCode}`);
  }

  get(path) {
    return new Promise((resolve, reject) => {
      const headers = this.cookie ? { cookie: this.cookie } : {};
      const request = http.get({ host: '127.0.0.1', port: this.port, path, headers, agent: this.agent }, (response) => {
        const set = response.headers['set-cookie'];
        if (set) this.cookie = set[0].split(';')[0];
        response.on('error', reject);
        response.on('end', () => resolve(response));
        response.resume();
      });
      request.setTimeout(TIMEOUT_MS, () => request.destroy(new Error(`GET ${path} timed out`)));
      request.on('error', reject);
    });
  }
}

module.exports = { Browser };
