// The public surface: every entry point of package.json is in the API reference, every name it exports
// belongs to one of the reference's groups (typedoc.json's groupOrder) and to that entry point alone, and
// the README's import from the main entry keeps working.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');
const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, unknown>;

/** Each entry point of package.json ('.', './redis', …) and the source of its types. */
const ENTRIES = Object.entries(json('package.json').exports as Record<string, string | { types: string }>)
  .filter(([entry]) => entry !== './package.json')
  .map(([entry, target]) => {
    const types = typeof target === 'string' ? target : target.types;
    return { entry, source: types.replace(/^\.\/dist\//, 'lib/').replace(/\.d\.ts$/, '.ts') };
  });

const typedoc = json('typedoc.json') as { entryPoints: string[]; groupOrder: string[] };
const GROUPS = typedoc.groupOrder.filter((group) => group !== '*');

const program = ts.createProgram(
  ENTRIES.map(({ source }) => join(ROOT, source)),
  {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    experimentalDecorators: true,
    skipLibCheck: true,
    types: ['node'],
  },
);
const checker = program.getTypeChecker();

/** The names `source` exports, each with the distinct `@group` tags of its declarations. */
function exportsOf(source: string): Map<string, string[]> {
  const file = program.getSourceFile(join(ROOT, source));
  if (!file) throw new Error(`${source} is not in the program`);
  const names = new Map<string, string[]>();
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(file)!)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const groups = (target.declarations ?? []).flatMap((declaration) =>
      ts
        .getJSDocTags(declaration)
        .filter((tag) => tag.tagName.text === 'group')
        .map((tag) => ts.getTextOfJSDocComment(tag.comment)?.trim() ?? ''),
    );
    names.set(symbol.name, [...new Set(groups)]);
  }
  return names;
}

const surface = new Map(ENTRIES.map(({ entry, source }) => [entry, exportsOf(source)]));

it('documents every entry point in the API reference', () => {
  const documented = typedoc.entryPoints.map((path) => (path === 'typedoc/main.ts' ? 'lib/index.ts' : path));
  expect(documented.sort()).toEqual(ENTRIES.map(({ source }) => source).sort());
});

it('puts every export in one group of the API reference', () => {
  const outside: string[] = [];
  for (const [entry, names] of surface) {
    for (const [name, groups] of names) {
      if (groups.length !== 1 || !GROUPS.includes(groups[0])) {
        outside.push(`${entry} ${name}: ${groups.length ? groups.join(', ') : 'no @group'}`);
      }
    }
  }
  expect({ groups: GROUPS, outside }).toEqual({ groups: GROUPS, outside: [] });
});

it('exports each name from one entry point only', () => {
  const seen = new Map<string, string[]>();
  for (const [entry, names] of surface)
    for (const name of names.keys()) seen.set(name, [...(seen.get(name) ?? []), entry]);
  expect([...seen].filter(([, entries]) => entries.length > 1)).toEqual([]);
  expect(seen.get('RedisRefreshCoordinator')).toEqual(['./redis']);
});

it("keeps the README's import from the main entry", () => {
  const main = surface.get('.')!;
  for (const name of [
    'JustLoginStrategy',
    'JustLoginRefresher',
    'JustLoginApi',
    'keepTokensFresh',
    'toTokenSet',
    'CookieStateStore',
  ]) {
    expect([name, main.has(name)]).toEqual([name, true]);
  }
});

it('exports nothing that only the tests need', () => {
  const main = surface.get('.')!;
  const internal = ['SingleFlight', 'ENVIRONMENTS'];
  const helpers = [...main.keys()].filter((name) => /(OwnOptions|OptionsBase)$/.test(name));
  expect([...internal.filter((name) => main.has(name)), ...helpers]).toEqual([]);
});
