// The JustLogin sandbox for this repository's tests, started through the justlogin-sandbox package
// the way a user's tests start it (from CommonJS: in a child process). Tests name the few settings
// they change with the environment-variable names of the sandbox command before the package.
import {
  DEMO_USERS as PACKAGE_DEMO_USERS,
  startSandbox as startPackageSandbox,
  type ApiFault,
  type SandboxTokenShapes,
  type SandboxUser,
} from 'justlogin-sandbox';

/** The client every test signs in with. */
const CLIENT_ID = 'demo-client';
const CLIENT_SECRET = 'demo-secret';
const DEFAULT_REDIRECT_URI = 'http://localhost:3000/auth/justlogin/callback';

export interface DemoUser extends SandboxUser {
  /** The user's claims: in the id_token with `idTokenClaims: 'all'`, in a JWT access token always. */
  claims: {
    sub: string;
    name: string;
    preferred_username: string;
    email: string;
    CompanyID: string;
    CompanyGUID: string;
    CompanyName: string;
    Username: string;
    WorkEmail: string;
    UserID: string;
    UserGUID: string;
    CountryCode: string;
    /** A string for one role, an array for several (alice has two). */
    role: string | string[];
  };
}

/** The sandbox's demo users: ACME alice and bob, GLOBEX carol. */
export const DEMO_USERS = PACKAGE_DEMO_USERS as readonly DemoUser[] as DemoUser[];

export interface SandboxSettings {
  /** Comma-separated redirect URIs of the test client (default: localhost:3000's callback). */
  JUSTLOGIN_SANDBOX_REDIRECT_URIS?: string;
  /** Comma-separated pages the test client may return to after signing out (postLogoutRedirectURIs). */
  SANDBOX_POST_LOGOUT_REDIRECT_URIS?: string;
  /** Where the sandbox posts the test client's back-channel logout tokens (backchannelLogoutURI). */
  SANDBOX_BACKCHANNEL_LOGOUT_URI?: string;
  /** Access token lifetime in seconds. */
  SANDBOX_ACCESS_TOKEN_TTL?: string;
  /** `status:count[:retryAfter]`: the first `count` API calls answer `status`. */
  SANDBOX_API_FAULT?: string;
  /** `1` serves the fault switch at /_sandbox/api-faults. */
  SANDBOX_API_CONTROL?: string;
  /** `jwt` or `opaque` access tokens (tokens.access). */
  SANDBOX_ACCESS_TOKEN?: SandboxTokenShapes['access'];
  /** `protocol` or `all`: which claims the id_token carries (tokens.idTokenClaims). */
  SANDBOX_ID_TOKEN_CLAIMS?: SandboxTokenShapes['idTokenClaims'];
  /** `one-time` or `reuse` refresh tokens (tokens.refreshTokens). */
  SANDBOX_REFRESH_TOKENS?: SandboxTokenShapes['refreshTokens'];
}

export interface RunningSandbox {
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** `${origin}/v1/auth` */
  issuer: string;
  clientID: string;
  clientSecret: string;
  /** The token shapes it issues. */
  tokens: Required<SandboxTokenShapes>;
  /** `token-request grant_type=<grant> status=<status>` lines, in order, as they arrive. */
  tokenRequests: string[];
  /** Resolves once at least `count` token requests were logged (they arrive asynchronously). */
  waitForTokenRequests(count: number, timeoutMs?: number): Promise<string[]>;
  stop(): Promise<void>;
}

function apiFault(text: string): ApiFault {
  const [status, count, retryAfter] = text.split(':').map(Number);
  return { status: status as ApiFault['status'], count, ...(retryAfter === undefined ? {} : { retryAfter }) };
}

/** Starts the sandbox on a free port with the test client `demo-client` / `demo-secret`. */
export async function startSandbox(settings: SandboxSettings = {}): Promise<RunningSandbox> {
  const tokenRequests: string[] = [];
  const redirectURIs = (settings.JUSTLOGIN_SANDBOX_REDIRECT_URIS ?? DEFAULT_REDIRECT_URI).split(',');
  const sandbox = await startPackageSandbox({
    clients: [
      {
        clientID: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectURIs,
        ...(settings.SANDBOX_POST_LOGOUT_REDIRECT_URIS
          ? { postLogoutRedirectURIs: settings.SANDBOX_POST_LOGOUT_REDIRECT_URIS.split(',') }
          : {}),
        ...(settings.SANDBOX_BACKCHANNEL_LOGOUT_URI
          ? { backchannelLogoutURI: settings.SANDBOX_BACKCHANNEL_LOGOUT_URI }
          : {}),
      },
    ],
    ...(settings.SANDBOX_ACCESS_TOKEN_TTL ? { accessTokenTTL: Number(settings.SANDBOX_ACCESS_TOKEN_TTL) } : {}),
    tokens: {
      access: settings.SANDBOX_ACCESS_TOKEN,
      idTokenClaims: settings.SANDBOX_ID_TOKEN_CLAIMS,
      refreshTokens: settings.SANDBOX_REFRESH_TOKENS,
    },
    faults: {
      control: settings.SANDBOX_API_CONTROL === '1',
      ...(settings.SANDBOX_API_FAULT ? { api: apiFault(settings.SANDBOX_API_FAULT) } : {}),
    },
    onTokenRequest: ({ grantType, status }) =>
      tokenRequests.push(`token-request grant_type=${grantType} status=${status}`),
  });
  return {
    origin: sandbox.origin,
    issuer: sandbox.issuer,
    clientID: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokens: sandbox.tokens,
    tokenRequests,
    async waitForTokenRequests(count, timeoutMs) {
      await sandbox.waitForTokenRequests(count, timeoutMs);
      return tokenRequests;
    },
    stop: () => sandbox.stop(),
  };
}
