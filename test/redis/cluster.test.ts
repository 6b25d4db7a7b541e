import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REDIS_SERVER, requireProgram } from '../support/programs';
import { startRedisCluster } from '../support/redis-cluster';

// The test cluster's set-up says at once what is missing, and a failed set-up leaves nothing running.
const PATH = process.env.PATH;
let bin: string;

beforeEach(async () => {
  bin = await mkdtemp(join(tmpdir(), 'passport-justlogin-cluster-bin-'));
  await symlink(requireProgram(REDIS_SERVER), join(bin, 'redis-server'));
  process.env.PATH = bin;
});
afterEach(async () => {
  process.env.PATH = PATH;
  await rm(bin, { recursive: true, force: true });
});

/** The programs this test process runs right now. */
function children(): string[] {
  const out = execFileSync('ps', ['-o', 'comm=', '--ppid', String(process.pid)], { env: { PATH } }).toString();
  return out.split('\n').filter((name) => name && name !== 'ps');
}

const clusterDirs = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('redis-cluster-'));

it('names redis-cli and how to install it when it is missing, before starting anything', async () => {
  await expect(startRedisCluster()).rejects.toThrow(
    /^redis-cli not found: install it with `apt-get install redis-tools` \(Debian\/Ubuntu\) or `brew install redis`$/,
  );
  expect(children()).toEqual([]);
});

it('stops every node it started when joining them fails', async () => {
  const cli = join(bin, 'redis-cli');
  await writeFile(cli, '#!/bin/sh\necho "[ERR] the nodes could not be joined" >&2\nexit 1\n');
  await chmod(cli, 0o755);
  const dirsBefore = await clusterDirs();

  await expect(startRedisCluster()).rejects.toThrow(/redis-cli --cluster create failed[^]*could not be joined/);
  expect(children()).toEqual([]);
  expect(await clusterDirs()).toEqual(dirsBefore);
});
