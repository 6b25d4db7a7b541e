// Every fenced code block of README.md and docs/*.md is checked: TypeScript blocks compile standalone under
// --strict against the package's own types, JavaScript blocks are type-checked as JavaScript (checkJs),
// shell blocks name only npm scripts and repository files that exist, and a block marked
// `<!-- file: PATH -->` is that file verbatim (the file is run by its own test). Blocks marked
// `<!-- snippet: NAME -->` are also run as programs (test/readme.test.ts, test/client/proxy.test.ts).
// Blocks marked `<!-- recipe: NAME:PATH -->` are the files and commands of a project a guide builds from
// `nest new` on: they import each other, so they compile in that project, which test/nestjs-guide.test.ts
// builds from them and runs.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { codeBlocks, documentationFiles, readmeSnippet, shellCommands, type CodeBlock } from './support/readme';

const ROOT = join(__dirname, '..');
const DIR = join(ROOT, 'test', '.snippets', 'docs');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  scripts: Record<string, string>;
};

/** The sandbox package, once it ships types; until then blocks that import it are listed, not type-checked. */
const SANDBOX_PACKAGE = join(ROOT, 'sandbox', 'package.json');
const SANDBOX_MODULE = 'justlogin-sandbox';

const TYPESCRIPT = ['ts', 'typescript'];
const JAVASCRIPT = ['js', 'javascript'];
const SHELL = ['sh', 'bash', 'shell'];
const JSON_LANGS = ['json'];

const blocks = documentationFiles().flatMap((doc) => codeBlocks(doc));

/** The sandbox package's declaration file, when it has one. */
function sandboxTypes(): string | undefined {
  if (!existsSync(SANDBOX_PACKAGE)) return undefined;
  const manifest = JSON.parse(readFileSync(SANDBOX_PACKAGE, 'utf8')) as { types?: string; typings?: string };
  const types = manifest.types ?? manifest.typings;
  return types && existsSync(join(ROOT, 'sandbox', types)) ? join(ROOT, 'sandbox', types) : undefined;
}

function compilerOptions(javascript: boolean): ts.CompilerOptions {
  const sandbox = sandboxTypes();
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    moduleDetection: ts.ModuleDetectionKind.Force,
    esModuleInterop: true,
    experimentalDecorators: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    allowJs: javascript,
    checkJs: javascript,
    // TypeScript blocks are held to --strict; JavaScript blocks to what checkJs reports without it
    // (unknown names and exports, wrong arguments, misspelt options).
    strict: !javascript,
    paths: {
      'passport-justlogin': [join(ROOT, 'lib', 'index.ts')],
      'passport-justlogin/fastify': [join(ROOT, 'lib', 'frameworks', 'fastify.ts')],
      'passport-justlogin/koa': [join(ROOT, 'lib', 'frameworks', 'koa.ts')],
      'passport-justlogin/api': [join(ROOT, 'lib', 'api', 'index.ts')],
      'passport-justlogin/redis': [join(ROOT, 'lib', 'redis', 'index.ts')],
      'passport-justlogin/nestjs': [join(ROOT, 'lib', 'nestjs', 'index.ts')],
      ...(sandbox ? { [SANDBOX_MODULE]: [sandbox] } : {}),
    },
  };
}

/** The README's app.js, beside the JavaScript blocks: the testing guide's recipe requires it as `./app`. */
const README_APP = readmeSnippet('express');

// JavaScript has no place to declare the app's user and session types, which the TypeScript snippets
// declare: here req.user and req.session.messages are what a JavaScript app puts there.
const JAVASCRIPT_GLOBALS = `import 'express-session';
declare global {
  namespace Express {
    interface User { [key: string]: any }
  }
}
declare module 'express-session' {
  interface SessionData { messages?: string[] }
}
`;

/**
 * Type-checks each block as its own module and returns the diagnostics, by block, as text. Blocks that
 * augment global or module types (`declare global`, `declare module`) get a program of their own, so that
 * what one snippet declares (e.g. its `Express.User`) does not reach another.
 */
function typeCheck(checked: CodeBlock[], javascript: boolean): Record<string, string> {
  const augments = (block: CodeBlock) => /^declare (global|module)\b/m.test(block.code);
  const groups = [checked.filter((block) => !augments(block)), ...checked.filter(augments).map((block) => [block])];
  const problems: Record<string, string> = {};
  groups.forEach((group, index) => Object.assign(problems, typeCheckTogether(group, javascript, `group-${index}`)));
  return problems;
}

function typeCheckTogether(checked: CodeBlock[], javascript: boolean, name: string): Record<string, string> {
  const dir = join(DIR, javascript ? 'js' : 'ts', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = new Map<string, CodeBlock>();
  checked.forEach((block, index) => {
    const file = join(dir, `block-${index}.${javascript ? 'js' : 'ts'}`);
    writeFileSync(file, block.code);
    files.set(file, block);
  });
  const roots = [...files.keys()];
  if (javascript) {
    writeFileSync(join(dir, 'globals.d.ts'), JAVASCRIPT_GLOBALS);
    roots.push(join(dir, 'globals.d.ts'));
    writeFileSync(join(dir, 'app.js'), README_APP);
  }
  const program = ts.createProgram(roots, compilerOptions(javascript));
  const problems: Record<string, string> = {};
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const block = diagnostic.file && files.get(diagnostic.file.fileName);
    const where = block ? block.where : (diagnostic.file?.fileName ?? 'program');
    if (waitsForSandboxTypes(diagnostic)) {
      console.info(`${where}: ${SANDBOX_MODULE} has no types yet; the rest of the block is checked with it as \`any\``);
      continue;
    }
    const line = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
    const text = `line ${(line ?? 0) + 1}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    problems[where] = problems[where] ? `${problems[where]}\n${text}` : text;
  }
  return problems;
}

/** "Cannot find module 'justlogin-sandbox'" while the sandbox package has no declaration file. */
function waitsForSandboxTypes(diagnostic: ts.Diagnostic): boolean {
  const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  return !sandboxTypes() && text.includes(`'${SANDBOX_MODULE}'`) && [2307, 7016].includes(diagnostic.code);
}

/** Words of a shell command that name a file or folder of this repository. */
function repositoryPaths(command: string): string[] {
  return command
    .split(/[\s&|;()"'`]+/)
    .map((word) => word.replace(/^[A-Z_]+=/, ''))
    .filter((word) => !/^[a-z+]+:\/\//i.test(word) && !word.startsWith('@') && !word.startsWith('-'))
    .filter((word) => word.includes('/') && (/\.[a-z]{1,4}$/.test(word) || existsSync(join(ROOT, word.split('/')[0]))));
}

/** passport-justlogin and justlogin-sandbox, not on npm yet. */
const PACKAGES = [PACKAGE, JSON.parse(readFileSync(SANDBOX_PACKAGE, 'utf8')) as typeof PACKAGE];
/** Whether `command` installs one of the two packages from npm's registry rather than from its tarball. */
function installsFromRegistry(command: string): boolean {
  const [npm, install, ...words] = command.split(/\s+/);
  const installs = npm === 'npm' && ['install', 'i', 'add'].includes(install);
  return installs && words.some((word) => PACKAGES.some(({ name }) => name === word.replace(/@[^@/]*$/, '')));
}

/** The tarballs `npm pack` and `npm pack -w sandbox` make of them in a clone. */
const TARBALLS = PACKAGES.map(({ name, version }) => `${name}-${version}.tgz`);

/**
 * Whether a path named by a shell block exists in a clone. A compiled file (`X/dist/Y.js`) exists only after
 * the build, so its source (`X/src/Y.ts`) stands for it; a tarball, once packed, is one of `TARBALLS`.
 */
function existsInClone(path: string): boolean {
  if (path.endsWith('.tgz')) return TARBALLS.includes(path.split('/').pop()!);
  const built = /^(.+)\/dist\/(.+)\.js$/.exec(path);
  return built ? existsSync(join(ROOT, built[1], 'src', `${built[2]}.ts`)) : existsSync(join(ROOT, path));
}

it('keeps README.md within 15 KB: the details live in docs/', () => {
  expect(readFileSync(join(ROOT, 'README.md')).length).toBeLessThanOrEqual(15_000);
});

it('finds the code blocks of README.md and of the guides', () => {
  const docs = new Set(blocks.map((block) => block.where.split(':')[0]));
  expect(docs.has('README.md')).toBe(true);
  expect([...docs].filter((doc) => doc.startsWith('docs/')).length).toBeGreaterThanOrEqual(5);
});

it('has no block that is neither run, type-checked, parsed nor checked as a shell command', () => {
  const covered = [...TYPESCRIPT, ...JAVASCRIPT, ...SHELL, ...JSON_LANGS];
  const others = blocks.filter((block) => !block.file && !covered.includes(block.lang));
  expect(others.map(({ where, lang }) => `${where} (\`\`\`${lang})`)).toEqual([]);
});

it('has JSON blocks that parse as JSON', () => {
  const invalid = blocks
    .filter((block) => JSON_LANGS.includes(block.lang))
    .filter((block) => {
      try {
        JSON.parse(block.code);
        return false;
      } catch {
        return true;
      }
    });
  expect(invalid.map(({ where }) => where)).toEqual([]);
});

it('installs the two packages from the tarballs `npm pack` makes in a clone, and says they are not on npm yet', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const install = codeBlocks('README.md').find((block) => block.lang === 'sh' && block.code.includes('npm pack'));
  expect(install).toBeDefined();
  const commands = shellCommands(install!.code);
  expect(commands.some((command) => /\bnpm pack && npm pack -w sandbox\b/.test(command))).toBe(true);
  const installed = commands.filter((command) => command.startsWith('npm install')).join(' ');
  expect(TARBALLS.filter((tarball) => installed.includes(`/${tarball}`))).toEqual(TARBALLS);
  expect(readme).toMatch(/not on npm yet/);
  expect(readme).not.toMatch(/only in a clone, not in the npm package/);
});

it('shows each repository file verbatim where a block names it', () => {
  for (const { where, file, code } of blocks.filter((block) => block.file)) {
    expect({ where, code }).toEqual({ where, code: readFileSync(join(ROOT, file!), 'utf8') });
  }
});

describe('TypeScript blocks', () => {
  const checked = blocks.filter((block) => !block.file && !block.recipe && TYPESCRIPT.includes(block.lang));

  it('compile standalone under --strict against the package types', () => {
    expect(checked.length).toBeGreaterThan(0);
    expect(typeCheck(checked, false)).toEqual({});
  }, 120_000);
});

describe('JavaScript blocks', () => {
  const checked = blocks.filter((block) => !block.file && JAVASCRIPT.includes(block.lang));

  it('type-check as JavaScript against the package types', () => {
    expect(checked.length).toBeGreaterThan(0);
    expect(typeCheck(checked, true)).toEqual({});
  }, 120_000);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

it('links only to files and headings that exist', () => {
  const broken: string[] = [];
  for (const doc of documentationFiles()) {
    const text = readFileSync(join(ROOT, doc), 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [path, hash] = target.split('#');
      const file = path ? join(ROOT, dirname(doc), path) : join(ROOT, doc);
      if (!existsSync(file)) broken.push(`${doc}: ${target}`);
      else if (hash && file.endsWith('.md')) {
        const headings = [...readFileSync(file, 'utf8').matchAll(/^#+ (.+)$/gm)].map(([, heading]) => anchor(heading));
        if (!headings.includes(hash)) broken.push(`${doc}: ${target}`);
      }
    }
  }
  expect(broken).toEqual([]);
});

describe('shell blocks', () => {
  const commands = blocks
    .filter((block) => SHELL.includes(block.lang))
    .flatMap((block) =>
      shellCommands(block.code).map((command) => ({
        where: block.where,
        command,
        // Run in a user's own project, not in this repository.
        elsewhere: Boolean(block.snippet ?? block.recipe),
      })),
    );

  it('run only npm scripts that exist', () => {
    const missing = commands.flatMap(({ where, command, elsewhere }) =>
      [...(elsewhere ? [] : command.matchAll(/\bnpm (?:run(?:-script)? ([\w:-]+)|(test|start)\b)/g))]
        .map((match) => match[1] ?? match[2])
        .filter((script) => !(script in PACKAGE.scripts))
        .map((script) => `${where}: npm run ${script}`),
    );
    expect(commands.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  // A block marked as a snippet or recipe runs in a user's own project (its test runs it there): its paths and
  // scripts are that project's.
  it('install passport-justlogin and justlogin-sandbox only from their tarballs: they are not on npm yet', () => {
    const sandboxReadme = codeBlocks('sandbox/README.md')
      .filter((block) => SHELL.includes(block.lang))
      .flatMap((block) => shellCommands(block.code).map((command) => ({ where: block.where, command })));
    const fromRegistry = [...commands, ...sandboxReadme].filter(({ command }) => installsFromRegistry(command));
    expect(sandboxReadme.length).toBeGreaterThan(0);
    expect(fromRegistry.map(({ where, command }) => `${where}: ${command}`)).toEqual([]);
  });

  it('name only repository files that exist', () => {
    const missing = commands.flatMap(({ where, command, elsewhere }) =>
      (elsewhere ? [] : repositoryPaths(command))
        .filter((path) => !existsInClone(path))
        .map((path) => `${where}: ${path}`),
    );
    expect(missing).toEqual([]);
  });
});
