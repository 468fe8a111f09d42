// Builds dist/ once for the e2e tests. Two test files may run in parallel workers: a lock keeps
// them from rewriting dist/ at the same time, and a freshness check lets the second one skip the
// build, so neither spawns a bundle while the other is half-way through writing it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const ACTION = path.join(ROOT, 'dist/index.js');

function newestInput(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(path.join(ROOT, 'src'));
  for (const f of ['package.json', 'package-lock.json', 'scripts/bundle.mjs']) {
    try {
      newest = Math.max(newest, statSync(path.join(ROOT, f)).mtimeMs);
    } catch {
      // optional file
    }
  }
  return newest;
}

function builtAt(): number {
  try {
    return Math.min(statSync(CLI).mtimeMs, statSync(ACTION).mtimeMs);
  } catch {
    return -1;
  }
}

async function withLock<T>(fn: () => T): Promise<T> {
  const lock = path.join(
    tmpdir(),
    `lineage-gate-bundle-${createHash('sha1').update(ROOT).digest('hex')}.lock`,
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a crashed run is stale after a minute.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // removed meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs `node scripts/bundle.mjs` unless dist/ is newer than every source file. */
export async function buildOnce(): Promise<void> {
  await withLock(() => {
    if (builtAt() > newestInput()) return;
    execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: ROOT, stdio: 'pipe' });
  });
}

export interface StepEnv {
  env: Record<string, string>;
  temp: string;
  outputFile: string;
  summaryFile: string;
}

/**
 * What the runner gives a step running dist/index.js: GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files in
 * a temp dir, INPUT_* variables, and an environment cleaned of the host's own GITHUB_*, INPUT_* and
 * RUNNER_* variables (a CI host's must not leak in).
 */
export function stepEnv(
  workspace: string,
  inputs: Record<string, string>,
  opts: { summary?: boolean; env?: Record<string, string> } = {},
): StepEnv {
  const temp = mkdtempSync(path.join(tmpdir(), 'lg-runner-'));
  const outputFile = path.join(temp, 'output');
  const summaryFile = path.join(temp, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(GITHUB_|INPUT_|RUNNER_)/.test(k)) env[k] = v;
  }
  Object.assign(env, {
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    RUNNER_TEMP: temp,
    ...(opts.summary === false ? {} : { GITHUB_STEP_SUMMARY: summaryFile }),
    ...opts.env,
  });
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return { env, temp, outputFile, summaryFile };
}
