import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** README.md and every docs/*.md, as paths relative to the repository root. */
export function documentationFiles(): string[] {
  const guides = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...guides];
}

/** The fenced code block that follows `<!-- snippet: NAME -->` in README.md or in one of docs/*.md. */
export function readmeSnippet(name: string): string {
  const marker = `<!-- snippet: ${name} -->`;
  const found = documentationFiles()
    .map((file) => readFileSync(join(ROOT, file), 'utf8'))
    .filter((text) => text.includes(marker));
  if (found.length !== 1) throw new Error(`README.md and docs/ have ${found.length} snippets "${name}", not 1`);
  const text = found[0];
  const block = /```\w*\n([\s\S]*?)```/.exec(text.slice(text.indexOf(marker) + marker.length));
  if (!block) throw new Error(`snippet "${name}" has no code block`);
  return block[1];
}

/** A fenced code block of README.md or docs/*.md, with the markers written just before it. */
export interface CodeBlock {
  /** e.g. `docs/nestjs.md:42`: where the block's opening fence is. */
  where: string;
  /** The fence's language: `ts`, `js`, `sh`, … (empty when none is given). */
  lang: string;
  code: string;
  /** `<!-- file: PATH -->`: the block shows that repository file verbatim. */
  file?: string;
  /** `<!-- snippet: NAME -->`: the block is run as a program by a test. */
  snippet?: string;
  /**
   * `<!-- recipe: NAME:PATH -->`: the block is the file PATH (or, for a shell block, commands) of the project a
   * guide builds, which a test builds from the guide's blocks, e.g. `nestjs-express:src/main.ts`.
   */
  recipe?: { name: string; path: string };
}

/** Every fenced code block of `doc` (a path relative to the repository root). */
export function codeBlocks(doc: string): CodeBlock[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const fence = /(?:<!-- (file|snippet|recipe): (\S+) -->\s*)?^```(\w*)[^\n]*\n([\s\S]*?)^```$/gm;
  return [...text.matchAll(fence)].map((match) => {
    const [, marker, value, lang, code] = match;
    const line = text.slice(0, match.index + match[0].indexOf('```')).split('\n').length;
    return {
      where: `${doc}:${line}`,
      lang,
      code,
      ...(marker === 'file' ? { file: value } : {}),
      ...(marker === 'snippet' ? { snippet: value } : {}),
      ...(marker === 'recipe' ? { recipe: recipeOf(value) } : {}),
    };
  });
}

/** `NAME:PATH` of a recipe marker. */
function recipeOf(value: string): { name: string; path: string } {
  const colon = value.indexOf(':');
  if (colon < 1) throw new Error(`<!-- recipe: ${value} --> is not NAME:PATH`);
  return { name: value.slice(0, colon), path: value.slice(colon + 1) };
}

/** The blocks of `doc` that make up the recipe `name`, by path. */
export function recipeFiles(doc: string, name: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const block of codeBlocks(doc)) {
    if (block.recipe?.name === name) files.set(block.recipe.path, block.code);
  }
  if (files.size === 0) throw new Error(`${doc} has no recipe "${name}"`);
  return files;
}

/** The commands of a shell block: `\` continuations joined, comments and blank lines dropped. */
export function shellCommands(code: string): string[] {
  return code
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}
