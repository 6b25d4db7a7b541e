// Where each error code is explained: the entry of docs/troubleshooting.md that every error's message ends
// with a link to.

/** The troubleshooting guide, as published. */
const GUIDE = 'https://github.com/passport-justlogin/passport-justlogin/blob/main/docs/troubleshooting.md';

/** How the link begins in a message. */
const LINK = ` (see ${GUIDE}#`;

/** Every code of `JustLoginErrorCode`, each with its entry in the guide; any other code links to "Other codes". */
const DOCUMENTED = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_token',
  'unsupported_response_type',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'consent_required',
  'account_selection_required',
  'EBADOPTIONS',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EFETCH',
  'EHTTPSTATUS',
  'EREDIRECT',
  'ETOOLARGE',
  'EBADRESPONSE',
  'EBADREQUEST',
  'EDECRYPT',
  'EBADIDTOKEN',
  'ENOREFRESHTOKEN',
  'ENOTOKENS',
  'EUNSUPPORTED',
  'ELOGOUTFORMAT',
  'ELOGOUTTYPE',
  'ELOGOUTSIGNATURE',
  'ELOGOUTISSUER',
  'ELOGOUTAUDIENCE',
  'ELOGOUTIAT',
  'ELOGOUTEXPIRED',
  'ELOGOUTJTI',
  'ELOGOUTREPLAY',
  'ELOGOUTEVENTS',
  'ELOGOUTNONCE',
  'ELOGOUTSUBJECT',
]);

/**
 * `message` ending with the link to the guide's entry for `code`, e.g.
 * `… (see https://github.com/…/docs/troubleshooting.md#etimedout)`; a link it
 * ended with already (an error made from another's message) is replaced.
 */
export function withTroubleshootingLink(message: string, code: string): string {
  const at = message.lastIndexOf(LINK);
  const text = at !== -1 && /^[a-z0-9_-]+\)$/.test(message.slice(at + LINK.length)) ? message.slice(0, at) : message;
  return `${text}${LINK}${DOCUMENTED.has(code) ? code.toLowerCase() : 'other-codes'})`;
}
