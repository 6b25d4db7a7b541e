// The sandbox in a child process, for the CommonJS entry (index.cjs): reads its options from the
// IPC channel, answers `{ listening: { origin, issuer } }` or `{ failed: { message, code? } }`,
// reports each token request as `{ tokenRequest }`, and stops when told or when its parent goes.
import { startSandbox } from './server.mjs';

process.once('message', async (options) => {
  let sandbox;
  try {
    sandbox = await startSandbox({ ...options, onTokenRequest: (tokenRequest) => process.send({ tokenRequest }) });
  } catch (err) {
    process.once('disconnect', () => process.exit(1));
    process.send({ failed: { name: err.name, message: err.message, code: err.code } });
    return;
  }
  process.send({ listening: { origin: sandbox.origin, issuer: sandbox.issuer } });
  process.once('disconnect', async () => {
    await sandbox.stop();
    process.exit(0);
  });
});
