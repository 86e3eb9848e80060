#!/usr/bin/env node
/*
 * brain_xor.js -- XOR 2-3-1 training benchmark for brain.js.
 *
 *   T=$(mktemp -d)
 *   (cd "$T" && npm init -y >/dev/null && npm install brain.js@1.6.1)
 *   NODE_PATH="$T/node_modules" node benchmarks/js/brain_xor.js [--runs N] [--warmup K]
 *
 * Prints ONE JSON object on stdout:
 *   library               "brain.js@<version>"
 *   runs                  N (default 20)
 *   median_time_to_mse_s  median training time over the runs that reached
 *                         training error < 0.005 (null if none did)
 *   times_s               training time of every run
 *   epochs                iterations (passes) reported by train() for every run
 *   converged             how many runs reached error < 0.005
 *   updates_per_s         online updates (one sample forward + backward +
 *                         weight update) per second over a fixed
 *                         20000 passes x 4 samples
 *   epochs_per_s          passes per second in that same measurement
 *
 * Training: new brain.NeuralNetwork({hiddenLayers: [3]}) (sigmoid, lr 0.3,
 * momentum 0.1 -- the library defaults) and
 * net.train(XOR, {errorThresh: 0.005, iterations: 100000}). brain.js trains
 * online (one update per sample) and its "error" is the mean over the 4
 * samples of the output MSE measured during the pass, before each sample's
 * update; it stops as soon as that error <= errorThresh. Only train() is timed
 * (process.hrtime.bigint()); constructing the object is not (brain.js sizes
 * and initialises the weights inside train()).
 *
 * Throughput uses the same public train() call with iterations: 20000 and an
 * unreachable errorThresh (1e-12), so it includes brain.js's own per-pass
 * error bookkeeping, as normal training does; the rate is computed from the
 * iterations train() actually reports.
 */
'use strict';

const brain = require('brain.js');
const VERSION = require('brain.js/package.json').version;

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
  return new brain.NeuralNetwork({ hiddenLayers: [3] });
}

// one timed training run; returns {time, epochs, converged}
function trainToMse() {
  const net = buildNet();
  const t0 = process.hrtime.bigint();
  const status = net.train(XOR, { errorThresh: TARGET_MSE, iterations: MAX_PASSES });
  const t1 = process.hrtime.bigint();
  return {
    time: Number(t1 - t0) / 1e9,
    epochs: status.iterations,
    converged: status.error < TARGET_MSE,
    error: status.error,
  };
}

// raw throughput: fixed number of passes (the error threshold is unreachable)
function throughput() {
  const net = buildNet();
  const t0 = process.hrtime.bigint();
  const status = net.train(XOR, { errorThresh: 1e-12, iterations: THROUGHPUT_PASSES });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const passes = status.iterations;
  return {
    updates_per_s: (passes * XOR.length) / secs,
    epochs_per_s: passes / secs,
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
    library: 'brain.js@' + VERSION,
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
