'use strict';
// Signs a user in to a soak app through the sandbox's own pages, without a browser:
// redirects followed by hand, cookies kept, the sign-in and consent forms filled in. A browser that
// signed in and consented before (its sandbox cookies) goes straight back to the app, as at JustLogin.
const MAX_HOPS = 20;
const REQUEST_TIMEOUT_MS = 10_000;

/** A cookie jar for one origin: `name=value` pairs from Set-Cookie. */
class CookieJar {
  #cookies = new Map();

  keep(res) {
    for (const setCookie of res.headers.getSetCookie()) {
      const [, name, value] = /^([^=]+)=([^;]*)/.exec(setCookie) ?? [];
      if (!name) continue;
      if (value) this.#cookies.set(name, value);
      else this.#cookies.delete(name);
    }
  }

  header() {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Begins the sign-in at `startURL` (an app origin), signs `user` in on the
 * sandbox with the browser cookies of `sandboxJar`, finishes it at `finishURL`
 * (the same app or another instance) and resolves with the app's session
 * cookie header.
 */
async function signIn(startURL, finishURL, user, sandboxJar = new CookieJar()) {
  const app = new CookieJar();
  const begin = await fetch(`${startURL}/auth/justlogin`, {
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  app.keep(begin);
  const authorizeURL = begin.headers.get('location');
  if (begin.status !== 302 || !authorizeURL) throw new Error(`the app answered ${begin.status} to /auth/justlogin`);

  const { pathname, search } = new URL(await consentAtSandbox(authorizeURL, user, sandboxJar));
  const callback = await fetch(finishURL + pathname + search, {
    headers: { cookie: app.header() },
    redirect: 'manual',
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  app.keep(callback);
  if (callback.status !== 302 || callback.headers.get('location') !== '/api/me') {
    throw new Error(`the sign-in callback answered ${callback.status} to ${pathname}`);
  }
  return app.header();
}

/** Signs `user` in and consents on the sandbox (unless `jar` did before); resolves with the URL it redirects back to. */
async function consentAtSandbox(authorizeURL, user, jar) {
  const origin = new URL(authorizeURL).origin;

  async function visit(url, form) {
    let current = url;
    let body = form;
    for (let hops = 0; hops < MAX_HOPS; hops += 1) {
      const headers = { cookie: jar.header() };
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(current, {
        method: body ? 'POST' : 'GET',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      jar.keep(res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, current);
        if (next.origin !== origin) return { leftTo: next.href };
        current = next;
        body = undefined;
        continue;
      }
      const html = await res.text();
      if (!res.ok) throw new Error(`the sandbox answered ${res.status} at ${current.pathname}`);
      return { url: current, html };
    }
    throw new Error('too many redirects within the sandbox');
  }

  function submit(page, fields) {
    const action = /<form[^>]*\saction="([^"]*)"/.exec(page.html)?.[1];
    if (action === undefined) throw new Error(`no form on the sandbox page ${page.url.pathname}`);
    return visit(new URL(action.replaceAll('&amp;', '&'), page.url), new URLSearchParams(fields));
  }

  let step = await visit(new URL(authorizeURL));
  if (step.html?.includes('name="password"')) {
    const { companyId, username, password } = user;
    step = await submit(step, { companyId, username, password });
    if (step.html?.includes('role="alert"')) throw new Error(`the sandbox refused the sign-in of ${username}`);
  }
  if (step.html?.includes('name="decision"')) step = await submit(step, { decision: 'yes' });
  if (!step.leftTo) throw new Error(`the sign-in stopped at the sandbox page ${step.url.pathname}`);
  return step.leftTo;
}

module.exports = { CookieJar, signIn };
