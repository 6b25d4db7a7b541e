// lib/ is layered: each folder may import only from itself and the folders below it, as its README says,
// so that following an import always leads down (the ground files first, lib/index.ts last).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const LIB = join(__dirname, '..', 'lib');

/** Each folder (or '.' for the ground files), and the folders its files may import from besides itself. */
const MAY_IMPORT: Record<string, string[]> = {
  '.': [],
  client: ['.'],
  'sign-in': ['.', 'client'],
  renewal: ['.', 'client', 'sign-in'],
  'sign-out': ['.', 'client', 'sign-in', 'renewal'],
  redis: ['.', 'client', 'sign-in', 'renewal', 'sign-out'],
  frameworks: ['.', 'client', 'sign-in', 'renewal', 'sign-out'],
  api: ['.', 'client', 'sign-in', 'renewal'],
  doctor: ['.', 'client'],
  nestjs: ['.', 'client', 'sign-in', 'renewal', 'sign-out', 'frameworks', 'api'],
};

/** Every .ts file of lib/, relative to it. */
function sources(): string[] {
  return readdirSync(LIB, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(LIB, join(entry.parentPath, entry.name)).replaceAll('\\', '/'));
}

const folderOf = (path: string) => (path.includes('/') ? path.split('/')[0] : '.');

it('has a folder for every concern, each with a README saying what it holds and what it may import', () => {
  const folders = [...new Set(sources().map(folderOf))].filter((folder) => folder !== '.').sort();
  expect(folders).toEqual(
    Object.keys(MAY_IMPORT)
      .filter((folder) => folder !== '.')
      .sort(),
  );
  for (const folder of folders) {
    const readme = readFileSync(join(LIB, folder, 'README.md'), 'utf8');
    const allowed = MAY_IMPORT[folder].filter((other) => other !== '.');
    for (const other of allowed) expect(`${folder}: ${readme}`).toContain(`\`${other}/\``);
  }
});

it('has no import that climbs from a lower folder to a higher one', () => {
  const climbs: string[] = [];
  for (const path of sources().filter((source) => source !== 'index.ts')) {
    const text = readFileSync(join(LIB, path), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import\(|require\()\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(LIB, join(LIB, dirname(path), specifier)).replaceAll('\\', '/');
      const from = folderOf(path);
      const to = folderOf(target);
      if (from !== to && !MAY_IMPORT[from].includes(to)) climbs.push(`lib/${path} imports lib/${target}`);
    }
  }
  expect(climbs).toEqual([]);
});

it('keeps lib/index.ts to re-exports', () => {
  const statements = readFileSync(join(LIB, 'index.ts'), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split(';')
    .map((statement) => statement.replace(/\/\/.*$/gm, '').trim())
    .filter(Boolean);
  expect(statements.filter((statement) => !/^export (type )?(\{[\s\S]*\}|\*) from '\.[^']+'$/.test(statement))).toEqual(
    [],
  );
});
