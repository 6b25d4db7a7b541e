'use strict';
// Section 6: what `npm install` adds to a fresh JavaScript project together
// with passport: the packed passport-justlogin against passport-oauth2. Both
// rows are alarms (bench/alarm.js): at most 11 packages (passport-oauth2's 8,
// this package and at most 2 more) and 1.5 MiB.
const fs = require('node:fs');
const path = require('node:path');
const { row } = require('./report');
const { installed } = require('./installed');

/**
 * What is under `dir`: `bytes`, the size of its files (what npm calls a
 * package's unpacked size: the measure of the target; a folder's own size
 * depends on the file system, 4 KiB each on ext4), and `disk`, the blocks
 * files and folders take (`du -s`, which rounds every small file up to a block).
 */
function bytesUnder(dir) {
  let bytes = 0;
  let disk = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() && !entry.isDirectory()) continue;
    const stat = fs.lstatSync(path.join(entry.parentPath ?? entry.path, entry.name));
    if (entry.isFile()) bytes += stat.size;
    disk += stat.blocks * 512;
  }
  return { bytes, disk };
}

/** Packages and bytes under the project's node_modules. */
function added(project) {
  const modules = path.join(project, 'node_modules');
  const lock = JSON.parse(fs.readFileSync(path.join(modules, '.package-lock.json'), 'utf8'));
  return { packages: Object.keys(lock.packages).length, ...bytesUnder(modules) };
}

async function footprint({ root }) {
  const projects = installed(root);
  const ours = added(projects['passport-justlogin']);
  const theirs = added(projects['passport-oauth2']);
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(2);
  const size = (side) => `${mib(side.bytes)} (${mib(side.disk)} in blocks)`;
  return [
    {
      ...row(
        'Install with passport into a JavaScript app: packages (vs passport-oauth2 with passport)',
        String(ours.packages),
        String(theirs.packages),
        (ours.packages / theirs.packages).toFixed(2),
      ),
      alarm: 'install-packages',
      value: ours.packages,
    },
    {
      ...row(
        'Install with passport into a JavaScript app: MiB of files, as npm counts unpacked size (vs passport-oauth2 with passport)',
        size(ours),
        size(theirs),
        (ours.bytes / theirs.bytes).toFixed(2),
      ),
      alarm: 'install-bytes',
      value: ours.bytes,
    },
  ];
}

module.exports = footprint;
