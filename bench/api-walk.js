'use strict';
// Run with --expose-gc by the API section: walks every employee of the API
// server at `origin` (argument), 100 a page, with `api.employees.list` and with
// a fetch loop over the same pages. The heap in use is read after a forced GC
// before the walk and at every page boundary during it; the answer is the
// baseline and the peak, in bytes, for each.
const { serve } = require('./child');
const { apiClient, fetchJson } = require('./api-client');

const LIMIT = 100;
const origin = process.argv[2];

function heapUsed() {
  global.gc();
  return process.memoryUsage().heapUsed;
}

/** Walks with `each(visit)`, where `visit(index)` is called for every employee; returns { count, baseline, peak }. */
async function measure(walk) {
  const baseline = heapUsed();
  let peak = baseline;
  let count = 0;
  await walk((index) => {
    count += 1;
    // The first employee of each page: the previous page is done with, this one is held.
    if (index % LIMIT === 0) peak = Math.max(peak, heapUsed());
  });
  peak = Math.max(peak, heapUsed());
  return { count, baseline, peak };
}

async function ours(visit) {
  const api = apiClient(origin);
  let index = 0;
  for await (const employee of api.employees.list({
    include: ['manager', 'department', 'employment', 'company'],
    limit: LIMIT,
  })) {
    if (!employee.fullName) throw new Error('an employee without fullName');
    visit(index++);
  }
}

async function theirs(visit) {
  let index = 0;
  for (let page = 1; ; page += 1) {
    const { response, data } = await fetchJson(
      `${origin}/membership/v3/users?include=manager,department,employment,company&limit=${LIMIT}&page=${page}`,
    );
    for (const employee of data) {
      if (!employee.fullName) throw new Error('an employee without fullName');
      visit(index++);
    }
    if (!JSON.parse(response.headers.get('x-pagination')).HasNext) return;
  }
}

/** Loads what each walk loads on first use (fetch's undici, the client's modules), so the walks measure only themselves. */
async function warmUp() {
  await apiClient(origin).employees.listPage({ limit: LIMIT });
  await fetchJson(`${origin}/membership/v3/users?limit=${LIMIT}`);
}

serve(0, {
  walk: async () => {
    await warmUp();
    return { justlogin: await measure(ours), fetch: await measure(theirs) };
  },
});
