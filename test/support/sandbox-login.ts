// Signs a demo user in on the sandbox's own pages over plain HTTP, the way a browser would:
// follow redirects by hand, keep cookies, fill in and submit the forms found in the HTML.

export interface SandboxCredentials {
  companyId: string;
  username: string;
  password: string;
}

/** The sign-in page showed an error instead of signing in (e.g. a wrong password). */
export class SandboxLoginError extends Error {
  constructor(readonly pageError: string) {
    super(`sandbox sign-in failed: ${pageError}`);
    this.name = 'SandboxLoginError';
  }
}

/**
 * Opens `authorizeURL` (the sandbox's /connect/authorize URL the app would redirect to), signs
 * `user` in, answers the consent page with `consent` and returns the URL the sandbox finally
 * redirects to: the app's redirect_uri with `code` and `state`, or with `error=access_denied`.
 * Throws SandboxLoginError, carrying the page's message, when the credentials are refused.
 */
export async function completeSandboxLogin(
  authorizeURL: string,
  user: SandboxCredentials,
  consent: 'yes' | 'no',
): Promise<string> {
  const browser = new SandboxBrowser(new URL(authorizeURL).origin);
  let step = await browser.visit(new URL(authorizeURL));

  if ('html' in step && step.html.includes('name="password"')) {
    step = await browser.submit(step, { ...user });
    const error = 'html' in step ? alertText(step.html) : undefined;
    if (error) throw new SandboxLoginError(error);
  }
  if ('html' in step && step.html.includes('name="decision"')) {
    step = await browser.submit(step, { decision: consent });
  }
  if ('html' in step) {
    throw new Error(`sandbox sign-in stopped at an unexpected page ${step.url.pathname}: ${textOf(step.html)}`);
  }
  return step.leftTo;
}

/** Where a visit ended: a sandbox page, or a redirect away from the sandbox (to the app). */
type Step = { url: URL; html: string } | { leftTo: string };

class SandboxBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  /** Submits the page's (only) form with `fields`. */
  submit(page: { url: URL; html: string }, fields: Record<string, string>): Promise<Step> {
    const action = /<form[^>]*\saction="([^"]*)"/.exec(page.html)?.[1];
    if (action === undefined) throw new Error(`no form on the sandbox page ${page.url.pathname}`);
    return this.visit(new URL(action.replaceAll('&amp;', '&'), page.url), new URLSearchParams(fields));
  }

  /** GET (or POST `form`), following redirects while they stay on the sandbox. */
  async visit(url: URL, form?: URLSearchParams): Promise<Step> {
    let current = url;
    let body = form;
    for (let hops = 0; hops < 20; hops += 1) {
      const headers: Record<string, string> = { cookie: this.cookieHeader() };
      if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
      const res = await fetch(current, { method: body ? 'POST' : 'GET', headers, body, redirect: 'manual' });
      this.keepCookies(res);

      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        const next = new URL(location, current);
        if (next.origin !== this.origin) return { leftTo: next.href };
        current = next;
        body = undefined;
        continue;
      }
      const html = await res.text();
      if (!res.ok) throw new Error(`sandbox answered ${res.status} at ${current.pathname}: ${textOf(html)}`);
      return { url: current, html };
    }
    throw new Error('too many redirects within the sandbox');
  }

  private keepCookies(res: Response): void {
    for (const setCookie of res.headers.getSetCookie()) {
      const [, name, value] = /^([^=]+)=([^;]*)/.exec(setCookie) ?? [];
      if (!name) continue;
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

function alertText(html: string): string | undefined {
  const alert = /<[^>]*role="alert"[^>]*>([\s\S]*?)</.exec(html)?.[1];
  return alert === undefined ? undefined : decodeEntities(alert.trim());
}

function textOf(html: string): string {
  return decodeEntities(html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}
