import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The fenced code block that follows `<!-- snippet: NAME -->` in README.md. */
export function readmeSnippet(name: string): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const marker = `<!-- snippet: ${name} -->`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no snippet "${name}"`);
  const block = /```\w*\n([\s\S]*?)```/.exec(readme.slice(start + marker.length));
  if (!block) throw new Error(`README.md snippet "${name}" has no code block`);
  return block[1];
}
