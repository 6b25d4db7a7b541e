// The sandbox listens on the loopback interface only, unless told to listen on the network: then it
// warns, on every start, that its passwords and client secrets are reachable from there.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startSandbox } from 'justlogin-sandbox';

import { runCommand, SANDBOX_COMMAND, stopCommand } from './support/sandbox-command';

const run = promisify(execFile);
const clients = [{ clientID: 'host-app', clientSecret: 'host-secret', redirectURIs: ['http://localhost/cb'] }];
const WARNING = /listening on 0\.0\.0\.0, reachable from the network: .*passwords.*demo-secret/;

describe('startSandbox() host', () => {
  test.each(['0.0.0.0', '::', '192.168.1.20', 'sandbox.example'])(
    'refuses the non-loopback host %s without allowNetwork, before listening',
    async (host) => {
      await expect(startSandbox({ clients, host })).rejects.toThrow(
        new TypeError(
          `host ${host} is not a loopback address: anyone on the network could sign in with the sandbox's passwords and client secrets (set allowNetwork: true, or --allow-network, to listen there anyway)`,
        ),
      );
    },
  );

  test('listens on loopback hosts without allowNetwork', async () => {
    for (const host of ['localhost', '127.0.0.1']) {
      const sandbox = await startSandbox({ clients, host });
      try {
        expect(
          (await fetch(`http://127.0.0.1:${new URL(sandbox.origin).port}/v1/auth/.well-known/openid-configuration`))
            .status,
        ).toBe(200);
      } finally {
        await sandbox.stop();
      }
    }
  });

  test('allowNetwork must be a boolean', async () => {
    // @ts-expect-error a string is no boolean
    await expect(startSandbox({ clients, allowNetwork: 'yes' })).rejects.toThrow(
      new TypeError('allowNetwork must be a boolean'),
    );
  });
});

describe('the command --host', () => {
  test('refuses a non-loopback host without --allow-network: one line, exit code 2', async () => {
    await expect(run(process.execPath, [SANDBOX_COMMAND, '--host', '0.0.0.0', '--port', '0'])).rejects.toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /^justlogin-sandbox: host 0\.0\.0\.0 is not a loopback address: .*--allow-network.*\n$/,
      ),
    });
  });

  test('with --allow-network listens there and warns on stderr that the passwords and demo-secret are reachable', async () => {
    const command = runCommand(['--host', '0.0.0.0', '--port', '0', '--allow-network']);
    try {
      const [, port] = await command.waitFor(
        /^JustLogin sandbox listening: issuer=http:\/\/0\.0\.0\.0:(\d+)\/v1\/auth$/m,
      );
      expect((await fetch(`http://127.0.0.1:${port}/v1/auth/.well-known/openid-configuration`)).status).toBe(200);
      expect(command.output().stderr).toMatch(WARNING);
    } finally {
      await stopCommand(command);
    }
  });
});

test('startSandbox() with allowNetwork warns on every start to a non-loopback host, and not for loopback', async () => {
  // Inside the repository: an ES module resolves 'justlogin-sandbox' from its own folder.
  const snippets = join(__dirname, '.snippets');
  mkdirSync(snippets, { recursive: true });
  const script = join(mkdtempSync(join(snippets, 'sandbox-host-')), 'start.mjs');
  writeFileSync(
    script,
    `import { startSandbox } from 'justlogin-sandbox';
const clients = [{ clientID: 'a', clientSecret: 'demo-secret', redirectURIs: ['http://localhost/cb'] }];
for (const host of ['0.0.0.0', '0.0.0.0', '127.0.0.1']) {
  const sandbox = await startSandbox({ clients, host, allowNetwork: true });
  console.log(host);
  await sandbox.stop();
}
`,
  );
  const { stdout, stderr } = await run(process.execPath, [script], { cwd: __dirname });
  expect(stdout).toBe('0.0.0.0\n0.0.0.0\n127.0.0.1\n');
  const warnings = stderr.split('\n').filter((line) => WARNING.test(line));
  expect(warnings).toHaveLength(2);
  expect(stderr.split('\n').filter(Boolean)).toEqual(warnings);
});
