// A cookie-keeping HTTP client that follows redirects between the example app and the sandbox as a
// browser does: cookies are kept per host name (not per port), so the sandbox's own session survives
// from one sign-in to the next, and a sign-in started on 127.0.0.1 has no cookie on localhost.
import type { Credentials } from './sandbox-sign-in';

/** A page the browser ended on after following every redirect. */
export interface BrowserPage {
  url: URL;
  status: number;
  html: string;
}

const MAX_HOPS = 20;

export class ExampleBrowser {
  readonly #cookies = new Map<string, Map<string, string>>();

  /** GET `url` (or POST `form` to it), following redirects on any host; resolves with the last page. */
  async open(url: string | URL, form?: Record<string, string>): Promise<BrowserPage> {
    let current = new URL(url);
    let body = form && new URLSearchParams(form);
    for (let hops = 0; hops < MAX_HOPS; hops += 1) {
      const headers: Record<string, string> = { cookie: this.#cookieHeader(current) };
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(current, { method: body ? 'POST' : 'GET', headers, body, redirect: 'manual' });
      this.#keepCookies(current, res);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        current = new URL(location, current);
        body = undefined;
        continue;
      }
      return { url: current, status: res.status, html: await res.text() };
    }
    throw new Error(`more than ${MAX_HOPS} redirects from ${new URL(url).pathname}`);
  }

  /** Submits the page's first form with its hidden fields and `fields`. */
  submit(page: BrowserPage, fields: Record<string, string>): Promise<BrowserPage> {
    const form = /<form\b[^>]*>[\s\S]*?<\/form>/.exec(page.html)?.[0];
    const action = form && /\saction="([^"]*)"/.exec(form)?.[1];
    if (action === undefined) throw new Error(`no form on ${page.url.pathname}`);
    const hidden: Record<string, string> = {};
    for (const [input] of form!.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
      const name = /\sname="([^"]*)"/.exec(input)?.[1];
      if (name) hidden[name] = decode(/\svalue="([^"]*)"/.exec(input)?.[1] ?? '');
    }
    return this.open(new URL(decode(action), page.url), { ...hidden, ...fields });
  }

  /** The value of cookie `name` for `url`'s host name, if any. */
  cookie(url: string | URL, name: string): string | undefined {
    return this.#cookies.get(new URL(url).hostname)?.get(name);
  }

  #keepCookies(url: URL, res: Response): void {
    const jar = this.#cookies.get(url.hostname) ?? new Map<string, string>();
    this.#cookies.set(url.hostname, jar);
    for (const setCookie of res.headers.getSetCookie()) {
      const [, name, value] = /^([^=]+)=([^;]*)/.exec(setCookie) ?? [];
      if (!name) continue;
      const expired = /;\s*max-age=0/i.test(setCookie) || /;\s*expires=[^;]*1970/i.test(setCookie);
      if (value && !expired) jar.set(name, value);
      else jar.delete(name);
    }
  }

  #cookieHeader(url: URL): string {
    return [...(this.#cookies.get(url.hostname) ?? [])].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Opens `startURL` (an app route that sends the browser to JustLogin) and answers the sandbox's pages:
 * the sign-in form with `user` (when the sandbox asks) and the consent page with `consent` (when it asks).
 * Resolves with the app page the browser ends on.
 */
export async function signInThroughSandbox(
  browser: ExampleBrowser,
  startURL: string,
  user: Credentials,
  consent: 'yes' | 'no' = 'yes',
): Promise<BrowserPage> {
  let page = await browser.open(startURL);
  if (page.html.includes('name="password"')) page = await browser.submit(page, { ...user });
  if (page.html.includes('name="decision"')) page = await browser.submit(page, { decision: consent });
  return page;
}

/** Text from an HTML page or attribute, its five entities decoded. */
export function decode(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}
