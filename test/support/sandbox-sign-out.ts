// A browser's part in signing out of the sandbox: follow JustLogin's end-session URL with the
// sandbox's cookies, submit its sign-out page, and see where the sandbox sends the browser; and an
// endpoint that records the back-channel logout tokens the sandbox posts.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CookieJar } from 'justlogin-sandbox';

/** Where the end-session flow ended: the URL the sandbox sent the browser to (off the sandbox), or the page it stopped at. */
export interface EndSessionResult {
  leftTo?: URL;
  status: number;
  html?: string;
}

const decode = (text: string) =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/**
 * GETs `url` on the sandbox with `jar`'s cookies and follows it as a browser does: redirects within
 * the sandbox, and the sign-out page's form (`op.logoutForm`, with `logout=yes` as "Yes, sign out",
 * which the page submits by itself when the app proved who signs out).
 */
export async function followEndSession(url: string, jar: CookieJar): Promise<EndSessionResult> {
  const origin = new URL(url).origin;
  let current = new URL(url);
  let body: URLSearchParams | undefined;
  for (let hops = 0; hops < 10; hops += 1) {
    const res = await fetch(current, {
      method: body ? 'POST' : 'GET',
      headers: {
        cookie: jar.header(current),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
      redirect: 'manual',
    });
    jar.store(current, res);
    const location = res.headers.get('location');
    if (location) {
      await res.body?.cancel();
      const next = new URL(location, current);
      if (next.origin !== origin) return { leftTo: next, status: res.status };
      current = next;
      body = undefined;
      continue;
    }
    const html = await res.text();
    // The sign-out page (`op.logoutForm`), or oidc-provider's self-posting form when nobody is signed in.
    const found = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!found) return { status: res.status, html };
    const fields = new URLSearchParams();
    for (const [, name, value] of found[2].matchAll(/<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"/g)) {
      fields.set(decode(name), decode(value));
    }
    fields.set('logout', 'yes');
    current = new URL(decode(found[1]), current);
    body = fields;
  }
  throw new Error('too many steps within the sandbox');
}

/** One back-channel logout request as the app's endpoint received it. */
export interface LogoutDelivery {
  contentType?: string;
  logoutToken?: string;
}

/** An endpoint on 127.0.0.1 that records back-channel logout tokens and answers `status` (default 200). */
export class LogoutRecorder {
  readonly deliveries: LogoutDelivery[] = [];
  url = '';
  status = 200;
  /** Called with each delivery before it is answered: a test may forward it to the app. */
  forward?: (body: string, contentType: string | undefined) => Promise<number>;
  readonly #waiting = new Set<() => void>();
  readonly #server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const contentType = req.headers['content-type'];
      this.deliveries.push({ contentType, logoutToken: new URLSearchParams(body).get('logout_token') ?? undefined });
      for (const wake of this.#waiting) wake();
      void (this.forward ? this.forward(body, contentType) : Promise.resolve(this.status)).then((status) =>
        res.writeHead(status).end(),
      );
    });
  });

  static async start(path = '/backchannel-logout'): Promise<LogoutRecorder> {
    const recorder = new LogoutRecorder();
    await new Promise<void>((resolve) => recorder.#server.listen(0, '127.0.0.1', resolve));
    recorder.url = `http://127.0.0.1:${(recorder.#server.address() as AddressInfo).port}${path}`;
    return recorder;
  }

  /** Resolves once `count` deliveries arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs = 5_000): Promise<LogoutDelivery[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(check);
        reject(new Error(`${this.deliveries.length} of ${count} logout tokens within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (this.deliveries.length < count) return;
        clearTimeout(timer);
        this.#waiting.delete(check);
        resolve(this.deliveries);
      };
      this.#waiting.add(check);
      check();
    });
  }

  stop(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
