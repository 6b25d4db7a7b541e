// The Fastify, Koa and NestJS-on-Fastify guides show the example files their tests run, verbatim.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const GUIDES = ['docs/fastify.md', 'docs/koa.md', 'docs/nestjs-fastify.md'];

/** Every fenced code block, with the file named by a `<!-- file: PATH -->` marker just before it. */
function codeBlocks(markdown: string): Array<{ file?: string; lang: string; code: string }> {
  return [...markdown.matchAll(/(?:<!-- file: (\S+) -->\s*)?```(\w*)\n([\s\S]*?)```/g)].map(([, file, lang, code]) => ({
    file,
    lang,
    code,
  }));
}

describe.each(GUIDES)('%s', (guide) => {
  const blocks = codeBlocks(readFileSync(join(ROOT, guide), 'utf8'));

  it('shows each example file verbatim where it names it', () => {
    const files = blocks.filter((block) => block.file);
    expect(files.length).toBeGreaterThan(0);
    for (const { file, code } of files) {
      expect({ file, code }).toEqual({ file, code: readFileSync(join(ROOT, file!), 'utf8') });
    }
  });

  it('has no other code than those files and shell commands', () => {
    expect(blocks.filter((block) => !block.file && block.lang !== 'sh')).toEqual([]);
  });
});
