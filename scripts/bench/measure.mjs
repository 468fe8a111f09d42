// Runs one command as a child Node process under the probe (probe.mjs) and returns wall time, CPU time,
// peak RSS and bytes read. Wall time is taken by the parent around a synchronous spawn, so it includes
// process start and exit: what a CI step pays. The rest comes from the child itself, via the probe.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PROBE = pathToFileURL(new URL('./probe.mjs', import.meta.url).pathname).href;

/** An environment without NODE_OPTIONS (it would change what is measured) and with the probe's file. */
function childEnv(probeFile) {
  const env = { ...process.env, LG_BENCH_PROBE: probeFile };
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * `args` are Node's arguments after the probe (a script and its arguments, or `-e 0`). Returns the
 * figures plus the child's exit status, stdout and stderr, so the caller can check the run was valid.
 */
export function measure(args, { workDir, cwd }) {
  const probeFile = path.join(
    workDir,
    `probe-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`,
  );
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', PROBE, ...args], {
    cwd,
    env: childEnv(probeFile),
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 512 * 1024 * 1024,
  });
  const wallS = Number(process.hrtime.bigint() - start) / 1e9;
  let probe = null;
  try {
    probe = JSON.parse(readFileSync(probeFile, 'utf8'));
  } catch {
    // The child died before its exit handler ran (signal, OOM): the caller reports the status.
  }
  rmSync(probeFile, { force: true });
  return {
    wallS,
    cpuS: probe ? (probe.userUs + probe.systemUs) / 1e6 : null,
    maxRssBytes: probe ? probe.maxRssKiB * 1024 : null,
    rchar: probe?.rchar ?? null,
    readBytes: probe?.readBytes ?? null,
    status: r.status,
    signal: r.signal,
    error: r.error ? String(r.error.message ?? r.error) : null,
    stdout: r.stdout?.toString('utf8') ?? '',
    stderr: r.stderr?.toString('utf8') ?? '',
  };
}

/** Median and spread (min, max, interquartile range) of the non-null values. */
export function summarize(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const q = (p) => {
    const i = (v.length - 1) * p;
    const lo = Math.floor(i);
    return v[lo] + (v[Math.ceil(i)] - v[lo]) * (i - lo);
  };
  return { median: q(0.5), min: v[0], max: v[v.length - 1], q1: q(0.25), q3: q(0.75), n: v.length };
}
