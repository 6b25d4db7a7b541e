// The sandbox's `dataFile`: what it keeps across a restart (its signing key, its cookie keys,
// oidc-provider's storage of grants, tokens and sessions, and the access tokens it issued), read
// when it starts and written when it stops.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

const FORMAT = 'justlogin-sandbox data file 1';

/** What `file` holds, or undefined when there is no such file; a TypeError naming dataFile when it is not one. */
export function readDataFile(file) {
  let data;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return undefined;
    if (err.code) throw new TypeError(`dataFile ${file} cannot be read (${err.code})`);
  }
  const valid =
    data?.format === FORMAT &&
    typeof data.signingKey?.kid === 'string' &&
    Array.isArray(data.cookieKeys) &&
    Array.isArray(data.storage) &&
    Array.isArray(data.accessTokens);
  if (!valid) throw new TypeError(`dataFile ${file} is not a sandbox data file`);
  return data;
}

/** Replaces `file` with `data`, readable by its owner alone: it holds the signing key and live tokens. */
export function writeDataFile(file, data) {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify({ format: FORMAT, ...data }), { mode: 0o600 });
  renameSync(partial, file);
}
