// Makes `import ... from 'passport-justlogin'` work in this example the way it works in an app that
// installed the package: node_modules/passport-justlogin points at the repository root, so Node.js and
// tsc resolve the package through its package.json `exports` (to the built dist/). Self-reference does
// not reach here because this example has its own package.json ("type": "module").
import { lstat, mkdir, readlink, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const link = join(here, 'node_modules', 'passport-justlogin');
const target = relative(dirname(link), repoRoot);

const existing = await lstat(link).catch(() => undefined);
if (existing?.isSymbolicLink() && (await readlink(link)) === target) process.exit(0);
if (existing) await rm(link, { recursive: true, force: true });
await mkdir(dirname(link), { recursive: true });
await symlink(target, link, 'junction');
