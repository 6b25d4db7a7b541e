// `node example-app/link-package.mjs <example folder>`: makes `import ... from 'passport-justlogin'` work
// in that example the way it works in an app that installed the package: its node_modules/passport-justlogin
// points at the repository root, so Node.js and tsc resolve the package through its package.json `exports`
// (to the built dist/). Self-reference does not reach there because the example has its own package.json.
import { lstat, mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = process.argv[2];
if (!example) {
  console.error('usage: node example-app/link-package.mjs <example folder>');
  process.exit(2);
}
const link = join(resolve(example), 'node_modules', 'passport-justlogin');
const target = relative(dirname(link), repoRoot);

const existing = await lstat(link).catch(() => undefined);
if (existing?.isSymbolicLink() && (await readlink(link)) === target) process.exit(0);
if (existing) await rm(link, { recursive: true, force: true });
await mkdir(dirname(link), { recursive: true });
await symlink(target, link, 'junction');
