'use strict';
// Section: JustLogin's API. CPU per call of `api.employees.listPage` against the
// same call made by hand (fetch with a Bearer header, then res.json()), to the
// same URL on a local API server (its own process) that serves a page of 50
// employees with manager, department, employment and company, and the
// x-pagination header; measured in this process, in interleaved rounds. Then
// the heap while `api.employees.list` walks 10,000 employees (100 pages of 100),
// in a child run with --expose-gc, against a fetch loop over the same pages.
const path = require('node:path');
const { start } = require('./child');
const { ACCESS_TOKEN, apiClient, fetchJson } = require('./api-client');
const { msSince } = require('./stats');
const { compare, row } = require('./report');
const { inRounds } = require('./rounds');

const CPU_RATIO = 1.05;
const HEAP_LIMIT_MB = 5;
const INCLUDE = ['manager', 'department', 'employment', 'company'];
const LIMIT = 50;

async function api({ plan }) {
  const server = await start(path.join(__dirname, 'api-server.js'), [ACCESS_TOKEN]);
  try {
    const origin = `http://127.0.0.1:${server.port}`;
    return [await cpuPerCall(origin, server, plan), await walkHeap(origin)];
  } finally {
    server.stop();
  }
}

async function cpuPerCall(origin, server, plan) {
  const client = apiClient(origin);
  const url = `${origin}/membership/v3/users?include=${INCLUDE.join(',')}&limit=${LIMIT}`;
  const contenders = {
    justlogin: async () => {
      const { items } = await client.employees.listPage({ include: INCLUDE, limit: LIMIT });
      if (items.length !== LIMIT) throw new Error('listPage did not read a whole page');
    },
    fetch: async () => {
      const { data } = await fetchJson(url);
      if (data.length !== LIMIT) throw new Error('fetch did not read a whole page');
    },
  };
  // Both send the same request.
  const sent = [];
  for (const call of Object.values(contenders)) {
    await call();
    sent.push(await server.ask('last'));
  }
  if (sent[0].url !== sent[1].url || sent[0].authorization !== sent[1].authorization) {
    throw new Error(`the contenders sent different requests: ${sent[0].url} and ${sent[1].url}`);
  }
  const names = Object.keys(contenders);
  const measureBlock = async (name, count) => {
    const before = process.cpuUsage();
    const began = process.hrtime.bigint();
    for (let i = 0; i < count; i++) await contenders[name]();
    const wall = msSince(began) * 1000;
    const used = process.cpuUsage(before);
    return { cpu: used.user + used.system, wall };
  };
  const block = Math.min(plan.block, plan.apiCalls);
  await inRounds(names, { rounds: 1, perRound: plan.apiWarmUp, block }, measureBlock);
  const { cpu } = await inRounds(names, { rounds: plan.rounds, perRound: plan.apiCalls, block }, measureBlock);
  return compare(
    `API: CPU per employees.listPage call, µs (${plan.rounds} × ${plan.apiCalls} calls, ${LIMIT} employees a page; vs fetch with a Bearer header and res.json())`,
    cpu.justlogin,
    cpu.fetch,
    CPU_RATIO,
  );
}

async function walkHeap(origin) {
  const walker = await start(path.join(__dirname, 'api-walk.js'), [origin], ['--expose-gc']);
  try {
    const { justlogin, fetch } = await walker.ask('walk');
    if (justlogin.count !== 10_000 || fetch.count !== 10_000) {
      throw new Error(`the walks saw ${justlogin.count} and ${fetch.count} employees, not 10000`);
    }
    const cell = ({ baseline, peak }) =>
      `${((peak - baseline) / 2 ** 20).toFixed(2)} (${(baseline / 2 ** 20).toFixed(1)} → ${(peak / 2 ** 20).toFixed(1)})`;
    const growth = (justlogin.peak - justlogin.baseline) / 2 ** 20;
    return row(
      'API: peak heap growth walking 10000 employees with employees.list, MB (100 pages of 100; baseline → peak after GC; vs a fetch loop)',
      cell(justlogin),
      cell(fetch),
      '—',
      `< ${HEAP_LIMIT_MB} MB`,
      growth < HEAP_LIMIT_MB,
    );
  } finally {
    walker.stop();
  }
}

module.exports = api;
