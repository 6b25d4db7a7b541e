'use strict';
// Runs the contenders in short blocks within each round, each block in a
// rotated order, so that all meet the same machine load; returns each round's
// CPU and wall time per operation, in µs, for each contender.

/** `measureBlock(name, count)` resolves with `{ cpu, wall }` in µs for `count` operations. */
async function inRounds(names, { rounds, perRound, block }, measureBlock) {
  const cpu = Object.fromEntries(names.map((name) => [name, []]));
  const wall = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    const total = Object.fromEntries(names.map((name) => [name, { cpu: 0, wall: 0 }]));
    for (let b = 0; b < perRound / block; b++) {
      const first = (round + b) % names.length;
      for (const name of [...names.slice(first), ...names.slice(0, first)]) {
        const used = await measureBlock(name, block);
        total[name].cpu += used.cpu;
        total[name].wall += used.wall;
      }
    }
    for (const name of names) {
      cpu[name].push(total[name].cpu / perRound);
      wall[name].push(total[name].wall / perRound);
    }
  }
  return { cpu, wall };
}

module.exports = { inRounds };
