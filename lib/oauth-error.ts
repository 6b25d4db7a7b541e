import { redact } from './redact';

/** The most characters of JustLogin's `error_description` or `error_uri` that are kept. */
const MAX_LENGTH = 300;

/** RFC 6749's `error`: `%x20-21 / %x23-5B / %x5D-7E` (printable ASCII without `"` and `\`), here at most 64 characters. */
const ERROR_CODE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

/** Control characters (C0, DEL, C1 with NEL) and the line and paragraph separators, in runs. */
const UNPRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}]+/gu;

/** An OAuth 2.0 error as the package passes it on. */
export interface OAuthError {
  /** `error`, exactly as JustLogin sent it. */
  code: string;
  /** `error_description` without secrets, control characters or line breaks, at most its first 300 characters; or `''`. */
  description: string;
  /** `error_uri` when it is an https URL (of at most 300 characters) without credentials. */
  uri?: string;
}

/**
 * The one rule for an OAuth 2.0 error's fields, wherever they come from (the
 * authorization response, the token endpoint at sign-in and at renewal):
 * `undefined` when `error` is not an error code of RFC 6749's character set
 * (or holds one of `secrets`); otherwise the code as sent, the description
 * cut, then redacted and made one line, and the URI only when it is https.
 */
export function oauthError(
  fields: Record<string, unknown>,
  secrets: readonly (string | undefined)[] = [],
): OAuthError | undefined {
  const { error, error_description: description, error_uri: uri } = fields;
  if (typeof error !== 'string' || !ERROR_CODE.test(error) || redact(error, secrets) !== error) return undefined;
  return {
    code: error,
    description: typeof description === 'string' ? oneLine(description, secrets) : '',
    uri: typeof uri === 'string' ? httpsURL(uri, secrets) : undefined,
  };
}

/** The first 300 characters of `text` (no half of a surrogate pair), redacted, each run of unprintable characters one space. */
function oneLine(text: string, secrets: readonly (string | undefined)[]): string {
  const cut = text.length > MAX_LENGTH;
  let kept = cut ? text.slice(0, MAX_LENGTH) : text;
  if (cut && /[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  const line = redact(kept, secrets, cut).replace(UNPRINTABLE, ' ').trim();
  return cut ? `${line}…` : line;
}

/** `text` redacted, when it is an https URL without credentials and at most 300 characters long. */
function httpsURL(text: string, secrets: readonly (string | undefined)[]): string | undefined {
  if (text.length > MAX_LENGTH) return undefined;
  const redacted = redact(text, secrets);
  if (!URL.canParse(redacted)) return undefined;
  const url = new URL(redacted);
  return url.protocol === 'https:' && url.username === '' && url.password === '' ? url.href : undefined;
}
