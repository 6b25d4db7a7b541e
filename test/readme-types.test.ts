// The strategies of the README's and the guides' JavaScript snippets, as written, compile as TypeScript
// under --strict with no annotation: every `new JustLoginStrategy(…)` and `new RedisRefreshCoordinator(…)`
// in the snippets, with their inline
// verify callbacks and process.env values, is type-checked against lib/.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readmeSnippet } from './support/readme';

const execFileAsync = promisify(execFile);
const ROOT = join(__dirname, '..');
const DIR = join(ROOT, 'test', '.snippets', 'readme-types');
const SNIPPETS = ['express', 'corporate-proxy', 'keep-fresh', 'security', 'instances'];
const CONSTRUCTORS = ['new JustLoginStrategy(', 'new RedisRefreshCoordinator('];

/** Every `new X(…)` expression of `constructors` in `code`, up to its closing parenthesis. */
function constructions(code: string): string[] {
  const found: string[] = [];
  for (const start of CONSTRUCTORS) {
    for (let at = code.indexOf(start); at >= 0; at = code.indexOf(start, at + 1)) {
      let depth = 0;
      for (let end = at + start.length - 1; end < code.length; end++) {
        if (code[end] === '(') depth += 1;
        if (code[end] === ')' && --depth === 0) {
          found.push(code.slice(at, end + 1));
          break;
        }
      }
    }
  }
  return found;
}

const expressions = SNIPPETS.flatMap((name) => constructions(readmeSnippet(name)).map((code) => ({ name, code })));

it('finds the strategies of every snippet', () => {
  expect(expressions.filter(({ code }) => code.startsWith('new JustLoginStrategy(')).map(({ name }) => name)).toEqual(
    SNIPPETS,
  );
  expect(expressions.some(({ code }) => code.startsWith('new RedisRefreshCoordinator('))).toBe(true);
});

it('compiles each as TypeScript under --strict, with no annotation', async () => {
  mkdirSync(DIR, { recursive: true });
  const program = [
    // https-proxy-agent wants a string: what the app passes it is not this package's concern.
    "declare const HttpsProxyAgent: new (proxy: string | undefined) => import('node:http').Agent;",
    "import { createClient } from 'redis';",
    "import { CookieStateStore, JustLoginStrategy, toTokenSet } from '../../../lib';",
    "import { RedisRefreshCoordinator } from '../../../lib/redis';",
    'declare const redis: ReturnType<typeof createClient>;',
    ...expressions.map(({ name, code }, index) => `// README snippet ${name}\nexport const value${index} = ${code};`),
  ].join('\n');
  writeFileSync(join(DIR, 'readme.ts'), `${program}\n`);
  const config = {
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    },
    files: ['readme.ts'],
  };
  writeFileSync(join(DIR, 'tsconfig.json'), JSON.stringify(config));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const output = await execFileAsync(process.execPath, [tsc, '-p', DIR]).then(
    () => '',
    (error: Error & { stdout?: string }) => error.stdout || error.message,
  );
  expect(output).toBe('');
}, 60_000);
