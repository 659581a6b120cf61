// Times ONNX Runtime (onnxruntime-node, CPU) on the models make_onnx.py wrote, over
// the benchmark grid in grid.json, and prints one JSON line per (row, threads) on
// stdout after one "meta" line with the ORT version. Progress goes to stderr.
// Usage: node ort_grid.mjs [--threads 1,2] [--quick] [--rows REGEX] [--models DIR]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';

const WARMUP_RUNS = 3;
const MIN_RUNS = 10;
const MIN_SECONDS = 0.5;
// This machine is shared: a measurement starts once other processes use at most
// MAX_OTHERS_CPU of the machine (waiting up to MAX_WAIT_SECONDS) and is retried if
// they used more meanwhile.
const MAX_OTHERS_CPU = 0.1;
const MAX_WAIT_SECONDS = 300;
const ATTEMPTS = 4;
const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    threads: { type: 'string', default: '1,2' },
    quick: { type: 'boolean', default: false },
    rows: { type: 'string' },
    models: { type: 'string', default: join(here, 'models') },
  },
});
const threads = args.threads.split(',').map(Number);

const rowName = (r) => `${r.cell}/${r.direction}/T:${r.T}/N:${r.N}/I:${r.I}/H:${r.H}`;

// Expands grid.json as grid.py does.
function loadRows(quick, rowsRegex) {
  const spec = JSON.parse(readFileSync(join(here, 'grid.json'), 'utf8'))[quick ? 'quick' : 'full'];
  const entries = spec.cells.flatMap((cell) => spec.shapes.map((shape) => [cell, 'forward', shape]));
  entries.push(...spec.extra.map((e) => [e.cell, e.direction, e.shape]));
  const rows = entries.map(([cell, direction, [T, N, I, H]]) => ({ cell, direction, T, N, I, H }));
  return rowsRegex ? rows.filter((r) => new RegExp(rowsRegex).test(rowName(r))) : rows;
}

// This process's scheduling policy, field 41 of /proc/self/stat (chrt -f gives fifo).
const schedPolicy = () => {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return ['other', 'fifo', 'rr', 'batch', 'iso', 'idle'][Number(fields[41 - 3])] ?? 'unknown';
};

// [busy ticks of the whole machine, all its ticks, this process's ticks] from /proc.
function cpuTicks() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] =
    readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const busy = user + nice + system + irq + softirq + steal;
  return [busy, busy + idle + iowait, Number(fields[14 - 3]) + Number(fields[15 - 3])]; // utime + stime
}

// Share of the machine's CPU that other processes used between two cpuTicks().
function othersCpu(before, after) {
  const [busy, total, own] = after.map((a, i) => a - before[i]);
  return Math.max(0, (busy - own) / Math.max(total, 1));
}

const sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

// Waits, up to MAX_WAIT_SECONDS, for a second in which other processes use at most
// MAX_OTHERS_CPU of the machine.
async function waitUntilQuiet(label) {
  for (let waited = 0; waited < MAX_WAIT_SECONDS; waited++) {
    const before = cpuTicks();
    await sleep(1);
    const share = othersCpu(before, cpuTicks());
    if (share <= MAX_OTHERS_CPU) return;
    if (waited % 60 === 0) {
      console.error(`onnxruntime  ${label}: waiting, other processes use ${Math.round(share * 100)}% of the CPU`);
    }
  }
}

// [median wall time of run() in ms, runs, share of the machine's CPU other processes used
// meanwhile], after warmup, over at least MIN_RUNS runs and MIN_SECONDS seconds.
async function medianMs(run) {
  for (let i = 0; i < WARMUP_RUNS; i++) await run();
  const times = [];
  const before = cpuTicks();
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  while (times.length < MIN_RUNS || elapsed() < MIN_SECONDS) {
    const t0 = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  return [median, times.length, othersCpu(before, cpuTicks())];
}

// medianMs(run) in a quiet moment, retried while other processes used the machine; the
// least disturbed attempt wins.
async function measure(run, label) {
  let best = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    await waitUntilQuiet(label);
    const result = await medianMs(run);
    if (best === null || result[2] < best[2]) best = result;
    if (best[2] <= MAX_OTHERS_CPU) break;
    console.error(`onnxruntime  ${label}: other processes used ${Math.round(result[2] * 100)}% of the CPU, retrying`);
  }
  return best;
}

const version = ort.env.versions.node;
console.error(`onnxruntime: onnxruntime-node ${version} (onnxruntime-common ${ort.env.versions.common})`);
console.log(JSON.stringify({
  peer: 'onnxruntime',
  meta: {
    version,
    date: new Date().toISOString(),
    loadavg: loadavg()[0],
    sched: schedPolicy(),
    session: { interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' },
  },
}));

const manifest = JSON.parse(readFileSync(join(args.models, 'manifest.json'), 'utf8'));
for (const row of loadRows(args.quick, args.rows)) {
  const file = manifest[`${row.cell}/${row.direction}/I:${row.I}/H:${row.H}`];
  if (!file) throw new Error(`no model for ${rowName(row)} in ${args.models}: run make_onnx.py`);
  const x = new Float32Array(row.T * row.N * row.I).map(() => Math.random() * 2 - 1);
  const feeds = { X: new ort.Tensor('float32', x, [row.T, row.N, row.I]) };
  for (const k of threads) {
    const session = await ort.InferenceSession.create(join(args.models, file), {
      executionProviders: ['cpu'],
      intraOpNumThreads: k,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    });
    const label = `${rowName(row)}  threads:${k}`;
    const [ms, runs, others] = await measure(() => session.run(feeds), label);
    await session.release();
    console.log(JSON.stringify({
      peer: 'onnxruntime', ...row, threads: k, ms: Number(ms.toFixed(4)), runs, others_cpu: Number(others.toFixed(3)),
    }));
    console.error(`onnxruntime  ${label}  ${ms.toFixed(3)} ms (${runs} runs, others used ${Math.round(others * 100)}%)`);
  }
}
