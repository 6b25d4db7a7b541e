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
