// passport-justlogin:renewal: one message for every refresh and ensureFresh that did more than give back
// fresh tokens, saying how it ended and where the tokens (or the failure) came from.
import {
  JustLoginClient,
  JustLoginRefresher,
  JustLoginRequestError,
  JustLoginTokenError,
  type JustLoginTokenSet,
  type RefreshCoordinator,
} from '../../lib';
import { CHANNELS } from '../../lib/diagnostics';
import { recordChannels, type Recorder } from '../support/diagnostics';
import { rotatingTokens } from '../support/rotating-tokens';
import { TokenServer, tokenResponse, type Responder } from '../support/token-server';

let server: TokenServer;
let recorder: Recorder;
let tokenReply: Responder;

beforeEach(async () => {
  server = await TokenServer.start();
  recorder = recordChannels([CHANNELS.renewal]);
  tokenReply = () => ({ body: tokenResponse() });
  server.reply((req) => tokenReply(req));
});
afterEach(async () => {
  recorder.stop();
  await server.stop();
});

const clientFor = () =>
  new JustLoginClient({ clientID: 'client-renewal', clientSecret: 'secret-Rn4w', baseURL: server.origin });
const nowSeconds = () => Math.floor(Date.now() / 1000);
const expired = (overrides: Partial<JustLoginTokenSet> = {}): JustLoginTokenSet => ({
  accessToken: 'access-token-old',
  refreshToken: 'refresh-token-old',
  tokenType: 'Bearer',
  expiresAt: nowSeconds() - 10,
  ...overrides,
});

describe('passport-justlogin:renewal', () => {
  it('publishes renewed, then remembered for the spent refresh token', async () => {
    const rotating = rotatingTokens('refresh-token-old');
    tokenReply = rotating.responder;
    const refresher = new JustLoginRefresher({ client: clientFor() });
    await refresher.refresh({ refreshToken: 'refresh-token-old' });
    await refresher.ensureFresh(expired());
    expect(recorder.of(CHANNELS.renewal)).toEqual([
      { outcome: 'renewed', source: 'process' },
      { outcome: 'remembered', source: 'process' },
    ]);
  });

  it('publishes nothing for ensureFresh on fresh tokens', async () => {
    await new JustLoginRefresher({ client: clientFor() }).ensureFresh(expired({ expiresAt: nowSeconds() + 3600 }));
    expect(recorder.of(CHANNELS.renewal)).toEqual([]);
  });

  it('publishes waited (process) for a caller that joined a renewal running in this process', async () => {
    tokenReply = rotatingTokens('refresh-token-old').responder;
    const refresher = new JustLoginRefresher({ client: clientFor() });
    await Promise.all([refresher.ensureFresh(expired()), refresher.ensureFresh(expired())]);
    expect(recorder.of(CHANNELS.renewal)).toEqual([
      { outcome: 'renewed', source: 'process' },
      { outcome: 'waited', source: 'process' },
    ]);
  });

  it('publishes waited (redis) and failed (redis) for what a shared coordinator brought from another instance', async () => {
    const renewedElsewhere: JustLoginTokenSet = { accessToken: 'a2', refreshToken: 'r2', tokenType: 'Bearer' };
    let answer: () => Promise<JustLoginTokenSet> = () => Promise.resolve({ ...renewedElsewhere });
    const coordinator: RefreshCoordinator = { run: () => answer() };
    const refresher = new JustLoginRefresher({ client: clientFor(), coordinator, graceMs: 0 });
    await refresher.refresh({ refreshToken: 'r1' });
    answer = () =>
      Promise.reject(new JustLoginRequestError('another instance did not finish', 'ETIMEDOUT', { retryable: true }));
    await expect(refresher.refresh({ refreshToken: 'r1' })).rejects.toThrow(JustLoginRequestError);
    expect(recorder.of(CHANNELS.renewal)).toEqual([
      { outcome: 'waited', source: 'redis' },
      { outcome: 'failed', code: 'ETIMEDOUT', source: 'redis' },
    ]);
    expect(server.requests).toEqual([]);
  });

  it("publishes failed with the refusal's code, and ENOREFRESHTOKEN for tokens without a refresh token", async () => {
    tokenReply = () => ({ status: 400, body: { error: 'invalid_grant' } });
    const refresher = new JustLoginRefresher({ client: clientFor() });
    await expect(refresher.ensureFresh(expired())).rejects.toThrow(JustLoginTokenError);
    await expect(refresher.ensureFresh(expired({ refreshToken: undefined }))).rejects.toMatchObject({
      code: 'ENOREFRESHTOKEN',
    });
    expect(recorder.of(CHANNELS.renewal)).toEqual([
      { outcome: 'failed', code: 'invalid_grant', source: 'process' },
      { outcome: 'failed', code: 'ENOREFRESHTOKEN', source: 'process' },
    ]);
  });
});
