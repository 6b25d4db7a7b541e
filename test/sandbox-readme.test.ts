// The justlogin-sandbox README documents the package's whole public surface, as its types declare
// it (index.d.cts) and its entries export it: every class and its members, function, constant and
// type, every option of startSandbox() and every member of the Sandbox it resolves with.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';

const run = promisify(execFile);
const PACKAGE = dirname(require.resolve('justlogin-sandbox/package.json'));
const README = readFileSync(join(PACKAGE, 'README.md'), 'utf8');

/** What index.d.cts declares: value exports, classes with their public members, types, and the members of `interfaces`. */
function declared() {
  const file = join(PACKAGE, 'index.d.cts');
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const has = (node: ts.Node, modifier: ts.SyntaxKind) =>
    ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === modifier);
  const exported = (node: ts.Node) => has(node, ts.SyntaxKind.ExportKeyword);
  const values = new Set<string>();
  const classes = new Map<string, string[]>();
  const types = new Set<string>();
  const interfaces = new Map<string, string[]>();
  for (const node of source.statements) {
    if (!exported(node)) continue;
    if (ts.isFunctionDeclaration(node) && node.name) values.add(node.name.text);
    if (ts.isVariableStatement(node)) {
      for (const declaration of node.declarationList.declarations) values.add(declaration.name.getText(source));
    }
    if (ts.isClassDeclaration(node) && node.name) {
      values.add(node.name.text);
      const members = node.members.filter((member) => member.name && !has(member, ts.SyntaxKind.PrivateKeyword));
      classes.set(
        node.name.text,
        members.map((member) => member.name!.getText(source)),
      );
    }
    if (ts.isInterfaceDeclaration(node)) {
      types.add(node.name.text);
      interfaces.set(
        node.name.text,
        node.members.filter((member) => member.name).map((member) => member.name!.getText(source)),
      );
    }
  }
  return { values, classes, types, interfaces };
}

/**
 * The lines of the README section under `heading`, up to the next heading of its level or above,
 * each list item's wrapped lines joined to it.
 */
function section(heading: string): string[] {
  const lines = README.split('\n');
  const start = lines.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(heading)![0].length;
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  const joined: string[] = [];
  for (const line of lines.slice(start + 1, end === -1 ? undefined : end)) {
    const wrapped = /^ +[^ -]/.test(line) && /^ *- /.test(joined.at(-1) ?? '');
    if (wrapped) joined[joined.length - 1] += ` ${line.trim()}`;
    else joined.push(line);
  }
  return joined;
}

/** The README's "Exports" list: top-level items name exports, indented ones the members of the class above. */
function documented() {
  const values = new Set<string>();
  const classes = new Map<string, string[]>();
  const types = new Set<string>();
  let current: string | undefined;
  for (const line of section('## Exports')) {
    const types_ = /^- Types: (.*)$/.exec(line);
    if (types_) {
      for (const [, name] of types_[1].matchAll(/`(\w+)`/g)) types.add(name);
      continue;
    }
    const top = /^- `(\w+)/.exec(line);
    if (top) {
      current = top[1];
      values.add(current);
      continue;
    }
    const member = /^ {2}- `(\w+)/.exec(line);
    if (member && current) classes.set(current, [...(classes.get(current) ?? []), member[1]]);
  }
  return { values, classes, types };
}

const sorted = (names: Iterable<string>) => [...names].sort();

test('the README lists every export of index.d.cts, and nothing more', () => {
  const types = declared();
  const readme = documented();
  expect(sorted(readme.values)).toEqual(sorted(types.values));
  expect(sorted(readme.types)).toEqual(sorted(types.types));
});

test('the README names every public member of each exported class, CookieJar.store(url, response) too', () => {
  const { classes } = declared();
  expect(classes.get('CookieJar')).toEqual(expect.arrayContaining(['header', 'store']));
  const readme = documented().classes;
  for (const [name, members] of classes)
    expect([name, sorted(readme.get(name) ?? [])]).toEqual([name, sorted(members)]);
  expect(sorted(readme.keys())).toEqual(
    sorted([...classes].filter(([, members]) => members.length).map(([name]) => name)),
  );
  expect(section('## Exports').join('\n')).toContain('`store(url, response)`');
});

test("the README's options table names every option of SandboxOptions", () => {
  const options = section('### `startSandbox(options)` → `Promise<Sandbox>`')
    .map((line) => /^\| `(\w+)`/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  expect(sorted(options)).toEqual(sorted(declared().interfaces.get('SandboxOptions')!));
});

test('the README describes every member of the Sandbox', () => {
  const lines = section('### `startSandbox(options)` → `Promise<Sandbox>`');
  const list = lines.slice(lines.indexOf('The `Sandbox`:') + 1);
  // Each item starts with the names it describes: "- `clients`, `users`, `tokens`: …", "- `stop()`: …".
  const names = list
    .slice(1, list.indexOf('', 1))
    .flatMap((line) =>
      [...(/^- ((?:`\w+[^`]*`(?:, )?)+)/.exec(line)?.[1].matchAll(/`(\w+)/g) ?? [])].map(([, name]) => name),
    );
  expect(sorted(names)).toEqual(sorted(declared().interfaces.get('Sandbox')!));
});

test('both entries export at run time what index.d.cts declares', async () => {
  const { values } = declared();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(sorted(Object.keys(require('justlogin-sandbox') as object))).toEqual(sorted(values));
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import * as sandbox from 'justlogin-sandbox'; console.log(Object.keys(sandbox).join())",
    ],
    { cwd: __dirname },
  );
  expect(sorted(stdout.trim().split(','))).toEqual(sorted(values));
});
