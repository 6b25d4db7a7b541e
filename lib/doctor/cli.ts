#!/usr/bin/env node
// `npx passport-justlogin doctor`: checks a JustLogin set-up before the first user does (see HELP).
import { runChecks } from './checks';
import { allPassed, jsonReport, textReport } from './report';
import { readCommand } from './settings';

const HELP = `usage: passport-justlogin doctor [options]

Checks a JustLogin set-up as the app will use it, one line per check, without signing anyone in:
  settings      the settings below are complete and valid
  connection    JustLogin answers over TLS (plain http only to a loopback host)
  clock         this machine's clock is within the package's tolerance of JustLogin's
  discovery     when served, the issuer, endpoints and signing keys are what the package expects
  credentials   the client ID and secret are accepted (a token request with a made-up code
                must get invalid_grant; invalid_client means they are wrong)
  callback URL  the authorize endpoint accepts the callback URL (only its first answer is read)

It reads the settings the app reads:
  JUSTLOGIN_CLIENT_ID       the Client Id (or --client-id <id>)
  JUSTLOGIN_CLIENT_SECRET   the Client Secret: from the environment only, never printed
  JUSTLOGIN_CALLBACK_URL    the whole callback URL registered with JustLogin (or --callback-url <url>)
  JUSTLOGIN_ENV             production (default) or staging (or --environment <name>)
  JUSTLOGIN_BASE_URL        any other JustLogin host, e.g. the sandbox's (or --base-url <url>)

Options:
  --clock-tolerance <s>     the app's \`clockTolerance\` in seconds (default 60, the package's)
  --json                    print the checks as JSON: { ok, checks: [{ check, status, finding, fix? }] }
  --help                    this text

Each line starts with ✓ (passed), ✗ (failed), ? (could not tell) or - (not checked), and says
after → what to do. Exit code: 0 when every check passed, 1 otherwise, 2 for a usage error.
`;

async function main(): Promise<number> {
  const command = readCommand(process.argv.slice(2), process.env);
  if (command.run === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  if (command.run === 'usage-error') {
    process.stderr.write(`passport-justlogin: ${command.problem} (see --help)\n`);
    return 2;
  }
  const secret = command.settings.clientSecret;
  try {
    const results = await runChecks(command.settings);
    process.stdout.write(command.json ? jsonReport(results, [secret]) : textReport(results, [secret]));
    return allPassed(results) ? 0 : 1;
  } catch (error) {
    // Not expected: every check reports its own failures. Only the error's name is printed, never its text.
    process.stderr.write(`passport-justlogin doctor stopped: ${error instanceof Error ? error.name : 'a failure'}\n`);
    return 1;
  }
}

void main().then((code) => {
  process.exitCode = code;
});
