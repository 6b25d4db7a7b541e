// The sandbox in a child process, for the CommonJS entry (index.cjs): reads its options from the
// IPC channel, answers `{ listening: { origin, issuer } }` or `{ failed: { message, code? } }`,
// reports each token request as `{ tokenRequest }`, and stops on `{ stop: true }` (answering
// `{ stopped: true }` after its last report) or when its parent goes.
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
  // `{ stop: true }`: stop serving, then say `{ stopped: true }` after every report already sent.
  process.on('message', async (message) => {
    if (!message?.stop) return;
    await sandbox.stop();
    process.send({ stopped: true }, () => process.exit(0));
  });
  process.once('disconnect', async () => {
    await sandbox.stop();
    process.exit(0);
  });
});
