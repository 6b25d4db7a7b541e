'use strict';
// signIn(): a user signs in to an app through the sandbox's own pages without a browser. The app
// is reached through a supertest agent or fetch with a CookieJar; the sandbox's pages through
// fetch, following redirects by hand, keeping cookies and submitting the forms found in the HTML.

const MAX_HOPS = 20;

/** The sandbox's sign-in page showed an error instead of signing in (e.g. a wrong password). */
class SandboxSignInError extends Error {
  constructor(message, reason) {
    super(message);
    this.name = 'SandboxSignInError';
    this.reason = reason;
  }
}

/** Cookies by origin (scheme, host and port), as a test needs them; paths and domains are not kept apart. */
class CookieJar {
  #byOrigin = new Map();

  /** The `Cookie` header to send to `url` ('' when none). */
  header(url) {
    const cookies = this.#byOrigin.get(new URL(url).origin);
    return cookies ? [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') : '';
  }

  /** Keeps the cookies a fetch `response` from `url` sets, and forgets those it clears. */
  store(url, response) {
    const origin = new URL(url).origin;
    const cookies = this.#byOrigin.get(origin) ?? new Map();
    for (const setCookie of response.headers.getSetCookie()) {
      const [, name, value, attributes] = /^([^=;\s]+)=([^;]*)(.*)$/.exec(setCookie) ?? [];
      if (!name) continue;
      const expires = /;\s*expires=([^;]+)/i.exec(attributes)?.[1];
      const cleared =
        value === '' || /;\s*max-age=0\b/i.test(attributes) || (expires && Date.parse(expires) <= Date.now());
      if (cleared) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.#byOrigin.set(origin, cookies);
  }
}

function decodeEntities(text) {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

function alertText(html) {
  const alert = /<[^>]*role="alert"[^>]*>([\s\S]*?)</.exec(html)?.[1];
  return alert === undefined ? undefined : decodeEntities(alert.trim());
}

/** The text of a page, short, for an error message (the sandbox's own pages hold no secret). */
function textOf(html) {
  return decodeEntities(html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

/**
 * GET `url` (or POST `form`) on the sandbox, following redirects while they stay there.
 * Resolves with the page (`{ url, html }`) or with `{ leftTo }`, the URL it sends the browser to.
 */
async function visit(fetchImpl, cookies, url, form) {
  const origin = url.origin;
  let current = url;
  let body = form;
  for (let hops = 0; hops < MAX_HOPS; hops += 1) {
    const headers = { cookie: cookies.header(current) };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetchImpl(current, { method: body ? 'POST' : 'GET', headers, body, redirect: 'manual' });
    cookies.store(current, res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      const next = new URL(location, current);
      if (next.origin !== origin) return { leftTo: next };
      current = next;
      body = undefined;
      continue;
    }
    const html = await res.text();
    if (!res.ok)
      throw new SandboxSignInError(`the sandbox answered ${res.status} at ${current.pathname}: ${textOf(html)}`);
    return { url: current, html };
  }
  throw new SandboxSignInError('too many redirects within the sandbox');
}

function submit(fetchImpl, cookies, page, fields) {
  const action = /<form[^>]*\saction="([^"]*)"/.exec(page.html)?.[1];
  if (action === undefined) throw new SandboxSignInError(`no form on the sandbox page ${page.url.pathname}`);
  return visit(fetchImpl, cookies, new URL(decodeEntities(action), page.url), new URLSearchParams(fields));
}

/** Signs in on the sandbox from its authorize URL; resolves with the URL it sends the browser back to. */
async function completeSandboxPages(fetchImpl, cookies, authorizeURL, user, consent) {
  let step = await visit(fetchImpl, cookies, authorizeURL);
  if (step.html?.includes('name="password"')) {
    step = await submit(fetchImpl, cookies, step, user);
    const error = step.html === undefined ? undefined : alertText(step.html);
    if (error) throw new SandboxSignInError(`sandbox sign-in failed: ${error}`, error);
  }
  if (step.html?.includes('name="decision"')) {
    step = await submit(fetchImpl, cookies, step, { decision: consent ? 'yes' : 'no' });
  }
  if (step.html !== undefined) {
    throw new SandboxSignInError(`sandbox sign-in stopped at ${step.url.pathname}: ${textOf(step.html)}`);
  }
  return step.leftTo;
}

function headerOf(res, name) {
  return typeof res.headers?.get === 'function' ? res.headers.get(name) : res.headers?.[name];
}

/** Signs a user in to an app through the sandbox; see index.d.mts. */
async function signIn(options) {
  const { start, agent, consent = true, followCallback = true } = options ?? {};
  for (const field of ['start', 'companyId', 'username', 'password']) {
    if (typeof options?.[field] !== 'string') throw new TypeError(`signIn(): ${field} must be a string`);
  }
  if (typeof followCallback !== 'boolean') throw new TypeError('signIn(): followCallback must be true or false');
  if (agent !== undefined && typeof agent?.get !== 'function') {
    throw new TypeError('signIn(): agent must be a supertest agent (or anything with get(path))');
  }
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const cookies = options.cookies ?? new CookieJar();
  const base = agent ? new URL(start, 'http://app.invalid') : new URL(start);

  // To the app: follow its own redirects until one leaves for the sandbox.
  const fromApp = async (url) => {
    if (agent) return agent.get(`${url.pathname}${url.search}`);
    const res = await fetchImpl(url, { redirect: 'manual', headers: { cookie: cookies.header(url) } });
    cookies.store(url, res);
    return res;
  };
  let url = base;
  let res;
  for (let hops = 0; ; hops += 1) {
    res = await fromApp(url);
    const location = headerOf(res, 'location');
    if (!location) throw new SandboxSignInError(`the app answered ${res.status} at ${url.pathname}, not a redirect`);
    const next = new URL(location, url);
    if (next.origin !== base.origin) {
      url = next;
      break;
    }
    if (hops === MAX_HOPS) throw new SandboxSignInError('too many redirects within the app');
    url = next;
  }
  if (!agent) await res.body?.cancel();

  const user = { companyId: options.companyId, username: options.username, password: options.password };
  const callback = await completeSandboxPages(fetchImpl, cookies, url, user, consent);
  return followCallback ? fromApp(callback) : callback;
}

module.exports = { CookieJar, SandboxSignInError, signIn };
