// The sandbox package's CommonJS entry runs the sandbox in a child process: stop() must not lose
// the report of a token request the sandbox has already answered.
import { startSandbox } from 'justlogin-sandbox';

it('stop() resolves only once every answered token request has been reported', async () => {
  const lost: number[] = [];
  for (let round = 0; round < 8; round += 1) {
    const sandbox = await startSandbox({
      clients: [{ clientID: 'stop-client', clientSecret: 'stop-secret', redirectURIs: ['http://localhost/cb'] }],
    });
    try {
      const answer = await fetch(`${sandbox.issuer}/connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=authorization_code&code=unknown&redirect_uri=http%3A%2F%2Flocalhost%2Fcb&client_id=stop-client&client_secret=stop-secret',
      });
      expect(answer.status).toBe(400);
    } finally {
      await sandbox.stop();
    }
    if (sandbox.tokenRequests.length !== 1) lost.push(round);
  }
  expect(lost).toEqual([]);
}, 60_000);
