import { createHash, randomBytes } from 'node:crypto';
import { JustLoginClient } from '../client/client';
import { DISCOVERY_PATH, type JustLoginMetadata } from '../client/discovery';
import { JWKS_PATH, type JustLoginEnvironment } from '../client/endpoints';
import { ID_TOKEN_ALGORITHMS } from '../client/id-token-signature';
import { TokenEndpoint } from '../client/token-endpoint';
import { createTransport, MAX_RESPONSE_BYTES, type Transport, type TransportResponse } from '../client/transport';
import { JustLoginOptionsError, JustLoginRequestError, JustLoginTokenError } from '../errors';
import { judgeAuthorizeAnswer } from './authorize-answer';
import { summarizeKeySet } from './key-set';
import { probe } from './probe';
import { printable } from './report';
import type { DoctorSettings, SettingName } from './settings';

/** `pass`, `fail`, `unknown` (the doctor could not tell) or `skip` (not checked: an earlier check failed). */
export type CheckStatus = 'pass' | 'fail' | 'unknown' | 'skip';

/** The checks, in the order they run. */
export const CHECKS = ['settings', 'connection', 'clock', 'discovery', 'credentials', 'callback URL'] as const;

/** One check's outcome: what was found and, unless it passed, what to do. */
export interface CheckResult {
  check: (typeof CHECKS)[number];
  status: CheckStatus;
  finding: string;
  fix?: string;
}

/**
 * Checks a set-up as the package will use it, one check after the other (see
 * {@link CHECKS}); a failed `settings` or `connection` leaves the later ones
 * `skip`. Nobody is signed in: the token request carries a code made up here,
 * and the authorize request goes no further than JustLogin's first answer.
 * The client secret goes only into the token request's body. `now` is the
 * clock the skew is measured with.
 */
export async function runChecks(settings: DoctorSettings, now: () => number = Date.now): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const rest = (reason: string): CheckResult[] => [
    ...results,
    ...CHECKS.slice(results.length).map((check) => ({
      check,
      status: 'skip' as const,
      finding: `not checked: ${reason}`,
    })),
  ];
  const setUp = checkSettings(settings);
  results.push(setUp.result);
  if (!setUp.client) return rest('fix the settings first');
  const { client } = setUp;
  const callbackURL = settings.callbackURL!;
  const base = settings.baseURL === undefined ? settings.sources.environment : settings.sources.baseURL;
  const transport = createTransport();

  const reached = await checkConnection(client, transport, now, base);
  results.push(reached.result);
  if (!reached.answer) return rest('JustLogin did not answer');
  results.push(checkClock(reached.answer, reached.sentAt, reached.receivedAt, client.clockTolerance));
  results.push(await checkDiscovery(client, transport, reached.answer, base));
  const credentials = await checkCredentials(client, settings, transport);
  results.push(credentials);
  results.push(await checkCallback(client, callbackURL, settings, credentials.status === 'pass'));
  return results;
}

function checkSettings(settings: DoctorSettings): { result: CheckResult; client?: JustLoginClient } {
  const { sources } = settings;
  const problems: string[] = [];
  for (const name of ['clientID', 'clientSecret', 'callbackURL'] as const) {
    if (settings[name] === undefined) problems.push(`${sources[name]} is not set`);
  }
  const callback = settings.callbackURL;
  if (callback !== undefined && !(URL.canParse(callback) && /^https?:$/.test(new URL(callback).protocol))) {
    problems.push(
      `${sources.callbackURL} must be the whole callback URL registered with JustLogin, e.g. https://app.example.com/auth/justlogin/callback`,
    );
  }
  let client: JustLoginClient | undefined;
  if (problems.length === 0) {
    try {
      client = new JustLoginClient({
        clientID: settings.clientID,
        clientSecret: settings.clientSecret,
        baseURL: settings.baseURL,
        environment: settings.environment as JustLoginEnvironment | undefined,
        clockTolerance: settings.clockTolerance,
      });
    } catch (error) {
      if (!(error instanceof JustLoginOptionsError)) throw error;
      problems.push(...error.problems.map((problem) => named(problem, sources)));
    }
  }
  if (!client) {
    return {
      result: {
        check: 'settings',
        status: 'fail',
        finding: problems.join('; '),
        fix: 'set them as the app does (see --help)',
      },
    };
  }
  const where =
    settings.baseURL === undefined
      ? `JustLogin ${settings.environment ?? 'production'} (${client.baseURL})`
      : client.baseURL;
  return {
    client,
    result: {
      check: 'settings',
      status: 'pass',
      finding: `client ${printable(client.clientID)} at ${where}, callback URL ${printable(callback!)}, secret from ${sources.clientSecret}`,
    },
  };
}

/** A client option's problem, naming the environment variable or flag it came from instead of the option. */
function named(problem: string, sources: Record<SettingName, string>): string {
  return problem.replace(/`(clientID|clientSecret|baseURL|environment)`/g, (_, name: SettingName) => sources[name]);
}

interface Reached {
  result: CheckResult;
  answer?: TransportResponse;
  sentAt: number;
  receivedAt: number;
}

/** GETs the discovery URL, which every JustLogin answers (with the document, or 404): any answer will do. */
async function checkConnection(
  client: JustLoginClient,
  transport: Transport,
  now: () => number,
  base: string,
): Promise<Reached> {
  const url = new URL(client.baseURL + DISCOVERY_PATH);
  const sentAt = now();
  try {
    const answer = await transport.send({
      endpoint: 'discovery document',
      method: 'GET',
      url,
      headers: { Accept: 'application/json' },
      timeout: client.timeout,
      maxBytes: MAX_RESPONSE_BYTES,
    });
    const how =
      url.protocol === 'https:'
        ? 'over TLS, with a trusted certificate'
        : 'over plain http, allowed to a loopback host';
    return {
      result: { check: 'connection', status: 'pass', finding: `${client.baseURL} answers ${how}` },
      answer,
      sentAt,
      receivedAt: now(),
    };
  } catch (error) {
    return {
      result: {
        check: 'connection',
        status: 'fail',
        finding: messageOf(error),
        fix: unreachableFix(codeOf(error), base),
      },
      sentAt,
      receivedAt: now(),
    };
  }
}

/** What to do when JustLogin cannot be reached, by the failure's code. */
function unreachableFix(code: string | undefined, base: string): string {
  if (code === 'ECONNREFUSED') return `nothing listens there: check ${base} (and that the server is running)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `the host name does not resolve: check ${base} and this machine's DNS`;
  if (code === 'EREDIRECT') return `${base} must name JustLogin's host itself, not an address that redirects`;
  if (code && /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO|EPROTO/.test(code)) {
    return 'the TLS connection failed: if a proxy on this network re-signs TLS, give Node.js its CA with NODE_EXTRA_CA_CERTS; never turn certificate checks off';
  }
  return `check ${base}, and that this machine may reach it (firewall, outbound proxy: the app's \`agent\` option)`;
}

/** The skew between this machine's clock and the `Date` of JustLogin's answer, against the id_token tolerance. */
function checkClock(answer: TransportResponse, sentAt: number, receivedAt: number, tolerance: number): CheckResult {
  const date = answer.headers.date;
  const serverTime = typeof date === 'string' ? Date.parse(date) : NaN;
  if (Number.isNaN(serverTime)) {
    return {
      check: 'clock',
      status: 'unknown',
      finding: "could not tell: JustLogin's answer has no Date header",
      fix: "keep this machine's clock synchronised (NTP)",
    };
  }
  // Date has whole seconds: the server's time was within the second it names, taken here at its middle.
  const skew = Math.round((serverTime + 500 - (sentAt + receivedAt) / 2) / 1000);
  const size = Math.abs(skew);
  if (size <= tolerance) {
    return {
      check: 'clock',
      status: 'pass',
      finding: `this machine's clock is within ${Math.max(size, 1)} s of JustLogin's (the package tolerates ${tolerance} s)`,
    };
  }
  const behind = skew > 0;
  return {
    check: 'clock',
    status: 'fail',
    finding: `this machine's clock is ${size} s ${behind ? 'behind' : 'ahead of'} JustLogin's, more than the ${tolerance} s the package tolerates`,
    fix: `id_tokens would be refused as ${behind ? 'issued in the future' : 'expired'}: synchronise the clock (NTP, e.g. \`timedatectl set-ntp true\`)`,
  };
}

/** The discovery document as the package checks it, and the keys it points to. */
async function checkDiscovery(
  client: JustLoginClient,
  transport: Transport,
  first: TransportResponse,
  base: string,
): Promise<CheckResult> {
  let metadata: JustLoginMetadata;
  try {
    metadata = await client.metadata();
  } catch (error) {
    if (error instanceof JustLoginRequestError && error.status === 404) {
      return {
        check: 'discovery',
        status: 'pass',
        finding: "not served: the package uses JustLogin's documented endpoints (leave the `discovery` option off)",
      };
    }
    const named = issuerIn(first.text);
    const host = named?.replace(/\/v1\/auth\/?$/, '');
    return {
      check: 'discovery',
      status: 'fail',
      finding: `${messageOf(error)}${named ? `; it names ${named}` : ''}`,
      fix:
        host && host !== named
          ? `${base} must be the issuer's host: ${host}`
          : `${base} must name JustLogin's host, whose issuer is that host followed by /v1/auth`,
    };
  }
  const differences = (['authorization_endpoint', 'token_endpoint'] as const)
    .map((field) => {
      const used = field === 'token_endpoint' ? client.tokenURL : client.authorizationURL;
      const given = metadata[field];
      return typeof given === 'string' && URL.canParse(given) && new URL(given).href !== new URL(used).href
        ? `the ${field.replace('_', ' ')} is ${printable(given)}, the package uses ${used}`
        : undefined;
    })
    .filter((difference) => difference !== undefined);
  if (differences.length > 0) {
    return {
      check: 'discovery',
      status: 'fail',
      finding: differences.join('; '),
      fix: `check ${base}; if it is right, give the app the discovered \`authorizationURL\` and \`tokenURL\``,
    };
  }
  const algorithms = metadata.id_token_signing_alg_values_supported;
  if (Array.isArray(algorithms) && !algorithms.some((alg) => ID_TOKEN_ALGORITHMS.includes(alg as string))) {
    return {
      check: 'discovery',
      status: 'fail',
      finding: 'id_tokens are signed with no algorithm the package accepts',
      fix: `ask JustLogin about its id_token signing algorithm; the package accepts ${ID_TOKEN_ALGORITHMS.join(', ')}`,
    };
  }
  return checkKeys(client, transport, metadata);
}

async function checkKeys(
  client: JustLoginClient,
  transport: Transport,
  metadata: JustLoginMetadata,
): Promise<CheckResult> {
  const jwksURL = metadata.jwks_uri;
  let answer: TransportResponse;
  try {
    answer = await transport.send({
      endpoint: 'JWKS',
      method: 'GET',
      url: new URL(jwksURL),
      headers: { Accept: 'application/jwk-set+json, application/json' },
      timeout: client.timeout,
      maxBytes: MAX_RESPONSE_BYTES,
    });
  } catch (error) {
    return {
      check: 'discovery',
      status: 'fail',
      finding: messageOf(error),
      fix: 'try again later; tell JustLogin if it lasts',
    };
  }
  const keys = answer.status === 200 ? summarizeKeySet(answer.text) : undefined;
  if (!keys || keys.signingKeys === 0 || keys.privateKeys > 0) {
    const problem = !keys
      ? `is not a JSON Web Key Set (HTTP ${answer.status})`
      : keys.privateKeys > 0
        ? 'publishes private keys'
        : 'has no key the package can check id_token signatures with';
    return {
      check: 'discovery',
      status: 'fail',
      finding: `JustLogin's key set ${problem}`,
      fix: 'tell JustLogin; until then leave `verifyIdTokenSignature` off',
    };
  }
  const elsewhere =
    new URL(jwksURL).href === new URL(client.baseURL + JWKS_PATH).href
      ? ''
      : ` at ${printable(jwksURL)} (with \`verifyIdTokenSignature\`, also set \`discovery: true\`)`;
  const count = `${keys.signingKeys} signing key${keys.signingKeys === 1 ? '' : 's'}`;
  return {
    check: 'discovery',
    status: 'pass',
    finding: `issuer ${printable(metadata.issuer)} and ${count} (${keys.algorithms.join(', ')})${elsewhere}, as the package expects`,
  };
}

/** The `issuer` a discovery document names, if it is a short string, for the report. */
function issuerIn(text: string): string | undefined {
  try {
    const issuer = (JSON.parse(text) as { issuer?: unknown } | null)?.issuer;
    return typeof issuer === 'string' && issuer.length <= 200 ? printable(issuer) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A token request with a code that cannot exist: JustLogin authenticates the
 * client before it looks the code up, so `invalid_grant` means the client ID
 * and secret were accepted.
 */
async function checkCredentials(
  client: JustLoginClient,
  settings: DoctorSettings,
  transport: Transport,
): Promise<CheckResult> {
  const { sources } = settings;
  const endpoint = new TokenEndpoint({
    clientID: client.clientID,
    clientSecret: settings.clientSecret!,
    tokenURL: client.tokenURL,
    timeout: client.timeout,
    transport,
  });
  const credentials = `${sources.clientID} and ${sources.clientSecret}`;
  try {
    await endpoint.request({
      grant_type: 'authorization_code',
      code: `passport-justlogin-doctor-${randomBytes(24).toString('base64url')}`,
      redirect_uri: settings.callbackURL!,
    });
  } catch (error) {
    const code = error instanceof JustLoginTokenError ? printable(error.code ?? '').slice(0, 64) : undefined;
    if (code === 'invalid_grant') {
      return {
        check: 'credentials',
        status: 'pass',
        finding: 'JustLogin accepts the client ID and secret (a made-up code got invalid_grant)',
      };
    }
    if (code === 'invalid_client') {
      return {
        check: 'credentials',
        status: 'fail',
        finding: 'JustLogin refused the client ID or secret (invalid_client)',
        fix: `copy ${credentials} again from JustLogin; production and staging have different ones (${sources.environment})`,
      };
    }
    if (code === 'unauthorized_client' || code === 'unsupported_grant_type') {
      return {
        check: 'credentials',
        status: 'fail',
        finding: `JustLogin does not let this client use the authorization code grant (${code})`,
        fix: 'ask JustLogin to allow the authorization code grant for this client',
      };
    }
    if (code !== undefined) {
      return {
        check: 'credentials',
        status: 'unknown',
        finding: `could not tell: a made-up code got ${code}, not invalid_grant`,
        fix: `check ${credentials}; tell JustLogin if they are right`,
      };
    }
    return {
      check: 'credentials',
      status: 'fail',
      finding: messageOf(error),
      fix: 'try again; check the connection if it lasts',
    };
  }
  return {
    check: 'credentials',
    status: 'fail',
    finding: 'JustLogin issued tokens for a made-up code',
    fix: 'tell JustLogin: its token endpoint does not check codes',
  };
}

/** An authorize request as the strategy sends it; only JustLogin's first answer is read. */
async function checkCallback(
  client: JustLoginClient,
  callbackURL: string,
  settings: DoctorSettings,
  clientKnown: boolean,
): Promise<CheckResult> {
  const { sources } = settings;
  const url = new URL(client.authorizationURL);
  const random = () => randomBytes(16).toString('base64url');
  const params = {
    response_type: 'code',
    client_id: client.clientID,
    redirect_uri: callbackURL,
    scope: 'openid',
    state: random(),
    nonce: random(),
    code_challenge: createHash('sha256').update(random()).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const callback = printable(callbackURL);
  let verdict;
  try {
    verdict = judgeAuthorizeAnswer(await probe(url, client.timeout), url, new URL(callbackURL));
  } catch (error) {
    return {
      check: 'callback URL',
      status: 'fail',
      finding: messageOf(error),
      fix: 'try again; check the connection if it lasts',
    };
  }
  const registered = `register exactly ${callback} (scheme, host, port and path) for client ${printable(client.clientID)} with JustLogin, or set ${sources.callbackURL} to the one registered`;
  switch (verdict.outcome) {
    case 'accepted':
      return {
        check: 'callback URL',
        status: 'pass',
        finding: `JustLogin accepts ${callback}: its authorize endpoint sent the browser on to ${verdict.where}`,
      };
    case 'accepted-with-error':
      return {
        check: 'callback URL',
        status: 'fail',
        finding: `JustLogin accepts ${callback} but refused the sign-in with ${verdict.where}`,
        fix:
          verdict.where === 'unauthorized_client'
            ? 'ask JustLogin to allow the authorization code flow for this client'
            : `ask JustLogin why it refuses this client's sign-in (${verdict.where})`,
      };
    case 'refused':
      return {
        check: 'callback URL',
        status: 'fail',
        finding: verdict.unknownClient
          ? `JustLogin's authorize endpoint does not know client ${printable(client.clientID)} (${verdict.where})`
          : `JustLogin refused ${callback}${clientKnown ? '' : ' (or the client ID)'}: its authorize endpoint sent the browser to ${verdict.where}`,
        fix: verdict.unknownClient ? `check ${sources.clientID}` : registered,
      };
    default:
      return {
        check: 'callback URL',
        status: 'unknown',
        finding: `could not tell whether JustLogin accepts ${callback}: its authorize endpoint answered ${verdict.where}, neither a sign-in page nor an error page the doctor knows`,
        fix: 'sign in once through the app to see',
      };
  }
}

/** An error's message for the report, without the package's advice to retry and its link (the report gives its own). */
function messageOf(error: unknown): string {
  return error instanceof Error
    ? printable(
        error.message.replace(/ \(see https:\/\/\S+\)$/, '').replace(/; the (request|sign-in) may be retried$/, ''),
      )
    : 'failed';
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
