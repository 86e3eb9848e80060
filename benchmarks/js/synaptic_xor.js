#!/usr/bin/env node
/*
 * synaptic_xor.js -- XOR 2-3-1 training benchmark for Synaptic.
 *
 *   T=$(mktemp -d)
 *   (cd "$T" && npm init -y >/dev/null && npm install synaptic@1.1.4)
 *   NODE_PATH="$T/node_modules" node benchmarks/js/synaptic_xor.js [--runs N] [--warmup K]
 *
 * Prints ONE JSON object on stdout:
 *   library               "synaptic@<version>"
 *   runs                  N (default 20)
 *   median_time_to_mse_s  median training time over the runs that reached
 *                         MSE < 0.005 (null if none did)
 *   times_s               training time of every run (non-converged runs
 *                         report the time of the full 100000-pass cap)
 *   epochs                passes needed by every run
 *   converged             how many runs reached MSE < 0.005
 *   updates_per_s         online updates (activate + propagate of one sample)
 *                         per second over a fixed 20000 passes x 4 samples
 *   epochs_per_s          passes per second in that same measurement
 *
 * Training is the classic tutorial loop: Layer(2)->Layer(3)->Layer(1),
 * for each pass activate+propagate each of the 4 XOR rows at rate 0.3; after
 * each pass the MSE over the 4 rows is measured with 4 extra activate() calls
 * (no propagate) and training stops once it is < 0.005, or after 100000
 * passes. Only the training loop is timed (process.hrtime.bigint());
 * building the network is not. Synaptic compiles the network to a single
 * JavaScript function on the first activate(); that one-off compile is
 * inside the timed region, as it is part of training in normal use.
 */
'use strict';

const synaptic = require('synaptic');
const VERSION = require('synaptic/package.json').version;
const { Layer, Network } = synaptic;

function parseArgs(argv) {
  const opts = { runs: 20, warmup: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const take = () => {
      const v = parseInt(argv[++i], 10);
      if (!Number.isFinite(v) || v < 0) throw new Error('bad value for ' + a);
      return v;
    };
    if (a === '--runs') opts.runs = take();
    else if (a.startsWith('--runs=')) opts.runs = parseInt(a.slice(7), 10);
    else if (a === '--warmup') opts.warmup = take();
    else if (a.startsWith('--warmup=')) opts.warmup = parseInt(a.slice(9), 10);
    else throw new Error('unknown argument: ' + a);
  }
  if (!(opts.runs >= 1)) throw new Error('--runs must be >= 1');
  return opts;
}

const RATE = 0.3;
const TARGET_MSE = 0.005;
const MAX_PASSES = 100000;
const THROUGHPUT_PASSES = 20000;
const XOR = [
  { input: [0, 0], output: [0] },
  { input: [0, 1], output: [1] },
  { input: [1, 0], output: [1] },
  { input: [1, 1], output: [0] },
];

function buildNet() {
  const input = new Layer(2);
  const hidden = new Layer(3);
  const output = new Layer(1);
  input.project(hidden);
  hidden.project(output);
  return new Network({ input: input, hidden: [hidden], output: output });
}

function mse(net) {
  let sum = 0;
  for (let i = 0; i < XOR.length; i++) {
    const d = XOR[i].output[0] - net.activate(XOR[i].input)[0];
    sum += d * d;
  }
  return sum / XOR.length;
}

// one timed training run; returns {time, epochs, converged}
function trainToMse() {
  const net = buildNet();
  const t0 = process.hrtime.bigint();
  let epochs = 0;
  let converged = false;
  while (epochs < MAX_PASSES) {
    for (let i = 0; i < XOR.length; i++) {
      net.activate(XOR[i].input);
      net.propagate(RATE, XOR[i].output);
    }
    epochs++;
    if (mse(net) < TARGET_MSE) { converged = true; break; }
  }
  const t1 = process.hrtime.bigint();
  return { time: Number(t1 - t0) / 1e9, epochs: epochs, converged: converged };
}

// raw throughput: fixed number of passes, no error checks
function throughput() {
  const net = buildNet();
  net.activate(XOR[0].input);   // trigger the one-off compile outside timing
  const t0 = process.hrtime.bigint();
  for (let e = 0; e < THROUGHPUT_PASSES; e++) {
    for (let i = 0; i < XOR.length; i++) {
      net.activate(XOR[i].input);
      net.propagate(RATE, XOR[i].output);
    }
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    updates_per_s: (THROUGHPUT_PASSES * XOR.length) / secs,
    epochs_per_s: THROUGHPUT_PASSES / secs,
  };
}

function median(xs) {
  if (xs.length === 0) return null;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (let i = 0; i < opts.warmup; i++) trainToMse();
  const results = [];
  for (let i = 0; i < opts.runs; i++) results.push(trainToMse());
  const tp = throughput();
  const conv = results.filter((r) => r.converged);
  process.stdout.write(JSON.stringify({
    library: 'synaptic@' + VERSION,
    runs: opts.runs,
    median_time_to_mse_s: median(conv.map((r) => r.time)),
    times_s: results.map((r) => r.time),
    epochs: results.map((r) => r.epochs),
    converged: conv.length,
    updates_per_s: tp.updates_per_s,
    epochs_per_s: tp.epochs_per_s,
    warmup_runs: opts.warmup,
    node: process.version,
  }) + '\n');
}

main();
