import { place, trace, type JustLoginFetchTrace } from '../diagnostics';
import { checkHttpURL } from './endpoints';
import { JustLoginRequestError } from '../errors';
import type { Transport } from './transport';

/** Where JustLogin publishes its OpenID configuration, under the base URL. */
export const DISCOVERY_PATH = '/v1/auth/.well-known/openid-configuration';

/** Largest discovery document read; IdentityServer's is about 3 KiB. */
const MAX_METADATA_BYTES = 64 * 1024;

/**
 * JustLogin's OpenID Provider metadata (OpenID Connect Discovery 1.0 §3), as the package checks it.
 *
 * @group Sign-in
 */
export interface JustLoginMetadata {
  /** The issuer: `iss` of every id_token. */
  issuer: string;
  /** Where the keys that sign id_tokens are published. */
  jwks_uri: string;
  /** Where the browser is sent to sign in. */
  authorization_endpoint?: string;
  /** Where codes and refresh tokens are exchanged for tokens. */
  token_endpoint?: string;
  /** Where the signed-in user's claims can be read. */
  userinfo_endpoint?: string;
  /** Where tokens can be revoked. */
  revocation_endpoint?: string;
  /** Where the browser is sent to end the JustLogin session. */
  end_session_endpoint?: string;
  [extra: string]: unknown;
}

/**
 * GETs `<baseURL>/v1/auth/.well-known/openid-configuration` through
 * `transport` (at most 64 KiB, within `timeout`, no redirects) and checks it:
 * `issuer` must be exactly `<baseURL>/v1/auth` (OpenID Connect Discovery 1.0
 * §4.3), `jwks_uri` must be present, and every `*_uri` or `*_endpoint` must be
 * an https URL (http only to loopback, or anywhere when `allowInsecure`) on
 * the issuer's origin or one of `allowedOrigins`.
 * Rejects with a {@link JustLoginRequestError} (`EBADRESPONSE`, `EHTTPSTATUS`
 * or the transport's codes) that never quotes the document. Resolves to the
 * document, frozen. Traced on `passport-justlogin:discovery`.
 */
export function fetchMetadata(
  transport: Transport,
  baseURL: string,
  timeout: number,
  allowInsecure: boolean,
  allowedOrigins: readonly string[] = [],
): Promise<JustLoginMetadata> {
  const base = baseURL.replace(/\/+$/, ''); // the client's checked `baseURL`
  const url = new URL(base + DISCOVERY_PATH);
  return trace(
    'discovery',
    () => place(url),
    (context) => readMetadata(transport, url, base, timeout, allowInsecure, allowedOrigins, context),
  );
}

async function readMetadata(
  transport: Transport,
  url: URL,
  base: string,
  timeout: number,
  allowInsecure: boolean,
  allowedOrigins: readonly string[],
  context: JustLoginFetchTrace | undefined,
): Promise<JustLoginMetadata> {
  const { status, text } = await transport.send({
    endpoint: 'discovery document',
    method: 'GET',
    url,
    headers: { Accept: 'application/json' },
    timeout,
    maxBytes: MAX_METADATA_BYTES,
  });
  if (context) context.status = status;
  if (status < 200 || status >= 300) {
    throw new JustLoginRequestError(
      `JustLogin's discovery document answered HTTP ${status}${status >= 500 ? '; the request may be retried' : ''}`,
      'EHTTPSTATUS',
      { status, retryable: status >= 500 || status === 429 },
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new JustLoginRequestError(
      "JustLogin's discovery document is not a JSON object; the request may be retried",
      'EBADRESPONSE',
      { status, retryable: true },
    );
  }
  const metadata = document as Record<string, unknown>;
  const issuer = `${base}/v1/auth`;
  if (typeof metadata.issuer !== 'string') throw invalid('has no `issuer`', status);
  if (metadata.issuer !== issuer) {
    throw invalid(`names an issuer other than ${issuer} (OpenID Connect Discovery 1.0 §4.3)`, status);
  }
  if (metadata.jwks_uri === undefined) throw invalid('has no `jwks_uri`', status);
  const { origin } = new URL(base);
  const origins = new Set([origin, ...allowedOrigins]);
  for (const [field, value] of Object.entries(metadata)) {
    if (!/_(uri|endpoint)$/.test(field)) continue;
    try {
      checkHttpURL(value, field, allowInsecure);
    } catch {
      const rule = allowInsecure ? 'an http(s) URL' : 'an https URL (plain http only to loopback)';
      throw invalid(`has a \`${field}\` that is not ${rule}`, status);
    }
    if (!origins.has(new URL(value as string).origin)) {
      throw invalid(
        `has a \`${field}\` on another origin than the issuer (${origin}); list that origin in \`allowedEndpointOrigins\` to use it`,
        status,
      );
    }
  }
  return Object.freeze(metadata) as JustLoginMetadata;
}

function invalid(what: string, status: number): JustLoginRequestError {
  return new JustLoginRequestError(`JustLogin's discovery document ${what}`, 'EBADRESPONSE', {
    status,
    retryable: false,
  });
}
