// Every code an error or a refused sign-in can carry has its entry in docs/troubleshooting.md, saying what it
// means and what to do, and every error's message ends with the link to its code's entry. The codes are read
// from the types in lib/errors.ts by TypeScript itself, so a code added there needs its entry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import {
  IdTokenError,
  JustLoginApiError,
  JustLoginAuthorizationError,
  JustLoginError,
  JustLoginOptionsError,
  JustLoginRefresher,
  JustLoginRequestError,
  JustLoginTokenError,
  NoRefreshTokenError,
} from '../lib';
import { TokenServer } from './support/token-server';

const ROOT = join(__dirname, '..');
const ERRORS = join(ROOT, 'lib', 'errors.ts');
const GUIDE = 'https://github.com/passport-justlogin/passport-justlogin/blob/main/docs/troubleshooting.md';
const doc = readFileSync(join(ROOT, 'docs', 'troubleshooting.md'), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchors = [...doc.matchAll(/^#+ (.+)$/gm)].map(([, heading]) => anchor(heading));

/** The string literals of a type of lib/errors.ts, as the type checker resolves it. */
function literalsOf(find: (checker: ts.TypeChecker, source: ts.SourceFile) => ts.Type): string[] {
  const program = ts.createProgram([ERRORS], { strict: true, noEmit: true, types: [], skipLibCheck: true });
  const type = find(program.getTypeChecker(), program.getSourceFile(ERRORS)!);
  const members = type.isUnion() ? type.types : [type];
  return members.filter((member) => member.isStringLiteral()).map((member) => member.value);
}

function declared<T extends ts.Node>(source: ts.SourceFile, name: string, is: (node: ts.Node) => node is T): T {
  const found = source.statements.find((node) => is(node) && (node as { name?: ts.Identifier }).name?.text === name);
  if (!found) throw new Error(`lib/errors.ts declares no ${name}`);
  return found as unknown as T;
}

const ERROR_CODES = literalsOf((checker, source) =>
  checker.getTypeAtLocation(declared(source, 'JustLoginErrorCode', ts.isTypeAliasDeclaration).name),
);
const FAILURE_CODES = literalsOf((checker, source) => {
  const failure = checker.getTypeAtLocation(declared(source, 'JustLoginFailure', ts.isInterfaceDeclaration).name);
  return checker.getTypeOfSymbol(failure.getProperty('code')!);
});

it('reads the codes from the types: OAuth errors, the package’s own, and those of a refused sign-in', () => {
  expect(ERROR_CODES).toEqual(expect.arrayContaining(['invalid_grant', 'ETIMEDOUT', 'EBADOPTIONS', 'ENOREFRESHTOKEN']));
  expect(FAILURE_CODES).toEqual(expect.arrayContaining(['access_denied', 'EBADSTATE']));
});

it('has an entry for every code, and for the codes no type lists', () => {
  const missing = [...ERROR_CODES, ...FAILURE_CODES, 'Other codes'].filter((code) => !anchors.includes(anchor(code)));
  expect(missing).toEqual([]);
});

it('says in each entry what the code means and what to do, in a few sentences', () => {
  const entries = doc.split(/^### /m).slice(1);
  for (const entry of entries.filter((text) => text.startsWith('`'))) {
    const [heading, ...body] = entry.trim().split('\n');
    const text = body.join(' ').trim();
    expect([heading, text.length > 60 && text.length < 900]).toEqual([heading, true]);
  }
});

/** The link an error's message ends with, or `undefined`. */
function linkOf(error: Error): string | undefined {
  return / \(see (https:\/\/\S+)\)$/.exec(error.message)?.[1];
}

it("ends every error's message with the link to its code's entry, and the anchor is there", () => {
  const errors: JustLoginError[] = [
    ...ERROR_CODES.map((code) => new JustLoginError('It failed', code)),
    new JustLoginTokenError('JustLogin refused the token request: invalid_grant', 'invalid_grant', 400),
    new JustLoginTokenError('JustLogin refused the token request: server_error', 'server_error', 503),
    new JustLoginAuthorizationError('JustLogin answered with invalid_scope', 'invalid_scope'),
    new JustLoginRequestError("JustLogin's token endpoint did not answer", 'ETIMEDOUT', { retryable: true }),
    new IdTokenError('id_token audience (aud) does not include this client', 'aud'),
    new NoRefreshTokenError(),
    new JustLoginOptionsError('JustLoginClient', ['`clientID` is required', '`timeout` must be a number']),
    new JustLoginApiError("JustLogin's API answered HTTP 404: not found", 'EHTTPSTATUS', { retryable: false }),
  ];
  for (const error of errors) {
    const link = linkOf(error);
    expect([error.code, link?.split('#')[0]]).toEqual([error.code, GUIDE]);
    expect([error.code, anchors.includes(link!.split('#')[1])]).toEqual([error.code, true]);
    expect(link!.split('#')[1]).toBe(anchor(error.code));
  }
});

it('links a code no type lists to "Other codes"', () => {
  expect(linkOf(new JustLoginError('It failed', 'EHOSTUNREACH'))).toBe(`${GUIDE}#other-codes`);
  expect(linkOf(new JustLoginTokenError('JustLogin refused: made_up', 'made_up', 400))).toBe(`${GUIDE}#other-codes`);
});

it('gives a message one link, also when an error is made again from another one', () => {
  const first = new JustLoginRequestError("JustLogin's JWKS answered HTTP 500", 'EHTTPSTATUS', { retryable: true });
  const again = new JustLoginApiError(first.message, 'ETIMEDOUT', { retryable: true });
  expect(again.message.match(/\(see https:/g)).toHaveLength(1);
  expect(linkOf(again)).toBe(`${GUIDE}#etimedout`);
  expect(again.message).toMatch(/^JustLogin's JWKS answered HTTP 500 \(see /);
});

it('keeps the link last when a refused request may be retried', async () => {
  const server = await TokenServer.start();
  try {
    server.reply({ status: 503, body: { error: 'server_error', error_description: 'down for a minute' } });
    const refresher = new JustLoginRefresher({ clientID: 'client', clientSecret: 'secret', tokenURL: server.url });
    const error = (await refresher.refresh({ refreshToken: 'refresh' }).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toBe(
      `JustLogin refused the token request: server_error (down for a minute); the request may be retried (see ${GUIDE}#server_error)`,
    );
  } finally {
    await server.stop();
  }
});
