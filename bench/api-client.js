'use strict';
// The API client of the API section and the raw fetch it is measured against,
// calling the same URL with the same Bearer header.
const { JustLoginApi, JustLoginRefresher } = require('passport-justlogin');
const { clientID, clientSecret } = require('./client');

const ACCESS_TOKEN = 'bench-api-access-token';

/** A JustLoginApi for `origin` whose tokens are not due (no renewal is ever made). */
function apiClient(origin) {
  const refresher = new JustLoginRefresher({ clientID, clientSecret, baseURL: origin });
  const tokens = {
    accessToken: ACCESS_TOKEN,
    refreshToken: 'bench-api-refresh-token',
    tokenType: 'Bearer',
    expiresAt: Math.floor(Date.now() / 1000) + 24 * 3600,
  };
  return new JustLoginApi({ refresher, tokens });
}

/** A call by hand: fetch with the Bearer header; resolves with the response and its JSON body. */
async function fetchJson(url) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${ACCESS_TOKEN}` } });
  if (!response.ok) throw new Error(`fetch answered HTTP ${response.status}`);
  return { response, data: await response.json() };
}

module.exports = { ACCESS_TOKEN, apiClient, fetchJson };
