// Hand-made hostile model repositories, built in temp dirs at test time (nothing large is committed),
// and a runner that puts the bundled CLI through each one with a wall-clock and a peak-RSS bound.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildOnce, CLI } from './bundle.js';
import { DEEPSEEK_V3_CONFIG } from './fixtures.js';

/** Content of a file outside every repo: it must never appear in any output. */
export const OUTSIDE_MARKER = 'OUTSIDE-SECRET-3f9c1b7e';

/** A directory outside the repos, holding OUTSIDE_MARKER in a config, a card and a license. */
export function outsideDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lg-outside-'));
  const config = { model_type: OUTSIDE_MARKER, architectures: [OUTSIDE_MARKER] };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(path.join(dir, 'README.md'), `---\nlicense: ${OUTSIDE_MARKER}\n---\n# ${OUTSIDE_MARKER}\n`);
  writeFileSync(path.join(dir, 'LICENSE'), `${OUTSIDE_MARKER}\n`);
  return dir;
}

export function write(dir: string, rel: string, content: string | Buffer): void {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
}

/** A card that would pass on its own, so each case's finding comes from the hostile part. */
export const PLAIN_CARD = '---\nlicense: mit\n---\n\n# Acme Tiny\n\nTrained from scratch.\n';
/** A config.json that marks a model directory and matches no known base. */
export const PLAIN_CONFIG = JSON.stringify({ architectures: ['AcmeForCausalLM'], model_type: 'acme' });

/** `safetensors` bytes: 8-byte little-endian header length (as claimed), then `rest`. */
export function safetensorsBytes(claimedLength: bigint, rest: Buffer | string): Buffer {
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(claimedLength);
  return Buffer.concat([head, Buffer.from(rest)]);
}

/** A GGUF v3 preamble with the given tensor and key-value counts and nothing after them. */
export function ggufPreamble(tensorCount: bigint, kvCount: bigint): Buffer {
  const b = Buffer.alloc(24);
  b.write('GGUF', 0, 'latin1');
  b.writeUInt32LE(3, 4);
  b.writeBigUInt64LE(tensorCount, 8);
  b.writeBigUInt64LE(kvCount, 16);
  return b;
}

/** YAML "billion laughs": 10 levels of 10 aliases each (10^10 nodes when expanded). */
export function billionLaughsCard(): string {
  const lines = ['---', 'a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  lines.push('license: mit', '---', '# Laughs', '');
  return lines.join('\n');
}

/** Creates `count` empty files in `dir` with one `find`-free shell loop per 10,000 (fast, no Node fds). */
export function manyFiles(dir: string, count: number): void {
  mkdirSync(dir, { recursive: true });
  // `touch` with many arguments is far faster than a writeFileSync per file.
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    const names: string[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) names.push(`f${String(i).padStart(6, '0')}`);
    execFileSync('touch', names, { cwd: dir });
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall clock of the child, ms. */
  ms: number;
  /** Peak resident set size of the child, KiB (from process.resourceUsage() at exit). */
  maxRssKiB: number;
  /** True when the child was killed for running past its time limit. */
  killed: boolean;
}

let wrapper: string | undefined;

/**
 * A tiny wrapper that runs dist/cli.js in its own process and writes that process's peak RSS to a
 * file at exit: portable, and measures the CLI itself rather than a shell around it.
 */
function rssWrapper(): string {
  if (wrapper) return wrapper;
  const dir = mkdtempSync(path.join(tmpdir(), 'lg-rss-'));
  wrapper = path.join(dir, 'rss.mjs');
  writeFileSync(
    wrapper,
    [
      "import { readFileSync, writeFileSync } from 'node:fs';",
      "import { pathToFileURL } from 'node:url';",
      'const [cli, out, ...args] = process.argv.slice(2);',
      'process.argv = [process.argv[0], cli, ...args];',
      // VmHWM, not getrusage's maxRSS: Linux keeps that across exec, so a child of a big Jest worker
      // would report the worker's peak.
      "const peak = () => { try { return Number(/^VmHWM:\\s+(\\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'))[1]); } catch { return process.resourceUsage().maxRSS; } };",
      "process.on('exit', () => writeFileSync(out, String(peak())));",
      'await import(pathToFileURL(cli).href);',
      '',
    ].join('\n'),
  );
  return wrapper;
}

/**
 * Runs the bundled CLI on `args` from `cwd`, with a hard kill after `killAfterMs`. The heap is capped
 * (`--max-old-space-size`) so runaway allocation fails the run rather than the machine.
 */
export function runCli(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; killAfterMs?: number; heapMiB?: number },
): CliRun {
  const rssFile = path.join(mkdtempSync(path.join(tmpdir(), 'lg-rss-out-')), 'rss');
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${opts.heapMiB ?? 512}`, rssWrapper(), CLI, rssFile, ...args],
    {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      encoding: 'utf8',
      timeout: opts.killAfterMs ?? 60_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const ms = Date.now() - started;
  let maxRssKiB = Number.NaN;
  try {
    maxRssKiB = Number(readFileSync(rssFile, 'utf8'));
  } catch {
    // killed before exit: the time assertion reports it
  }
  rmSync(path.dirname(rssFile), { recursive: true, force: true });
  return {
    code: r.status,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    ms,
    maxRssKiB,
    killed: r.signal !== null,
  };
}

export const DEFAULT_MAX_MS = 15_000;
export const DEFAULT_MAX_RSS_MIB = 200;

/** The plain config and card most cases start from. */
function writePlainModel(dir: string): void {
  write(dir, 'config.json', PLAIN_CONFIG);
  write(dir, 'README.md', PLAIN_CARD);
}

/** A tokenizer.json whose `merges` is not a list, followed by `count` empty objects. */
function emptyObjectsTokenizer(count: number): Buffer {
  const body = Buffer.alloc(count * 3, '{},');
  return Buffer.concat([
    Buffer.from('{"model":{"type":"BPE","vocab":{},"merges":{}},"x":['),
    body.subarray(0, body.length - 1),
    Buffer.from(']}'),
  ]);
}

export interface HostileCase {
  name: string;
  /** Builds the repo inside `dir` (an empty temp directory). */
  build(dir: string, outside: string): void;
  /**
   * Findings expected in the JSON report: rule malformed-file on `file` (none for a run-wide limit),
   * message matching `message`.
   */
  expect: { file?: string; message: RegExp }[];
  /** Verdict expected, when the case decides it. */
  verdict?: 'pass' | 'fail';
  /** Wall-clock bound for the CLI run, ms (default DEFAULT_MAX_MS). */
  maxMs?: number;
  /** Peak-RSS bound for the CLI run, MiB (default DEFAULT_MAX_RSS_MIB). */
  maxRssMiB?: number;
  /** Also run the text and markdown formats (for cases that could leak outside content). */
  allFormats?: boolean;
}

/** Cases that the evidence already read by the gate (config, card, license texts, listing) covers. */
export const CORE_CASES: HostileCase[] = [
  {
    name: 'LICENSE, config.json and a directory linking out of the repo',
    allFormats: true,
    build(dir, outside) {
      write(dir, 'README.md', PLAIN_CARD);
      symlinkSync('/etc/passwd', path.join(dir, 'LICENSE'));
      symlinkSync(path.join(outside, 'config.json'), path.join(dir, 'config.json'));
      symlinkSync(path.join(outside, 'LICENSE'), path.join(dir, 'NOTICE'));
      // A linked directory leaving the root: never listed through, so its config makes no model.
      symlinkSync(outside, path.join(dir, 'upstream'));
      write(dir, 'nested/config.json', PLAIN_CONFIG);
      symlinkSync(path.join(outside, 'README.md'), path.join(dir, 'nested/README.md'));
    },
    expect: [
      { file: 'LICENSE', message: /^LICENSE is a symbolic link that points outside the repository/ },
      { file: 'config.json', message: /^config\.json is a symbolic link that points outside/ },
      { file: 'NOTICE', message: /^NOTICE is a symbolic link that points outside/ },
      { file: 'nested/README.md', message: /symbolic link that points outside/ },
    ],
    verdict: 'fail',
  },
  {
    name: 'symlink loops (a file, a pair, a directory looping to its parent)',
    allFormats: true,
    build(dir) {
      writePlainModel(dir);
      symlinkSync('LICENSE', path.join(dir, 'LICENSE'));
      symlinkSync('NOTICE.md', path.join(dir, 'COPYING'));
      symlinkSync('COPYING', path.join(dir, 'NOTICE.md'));
      mkdirSync(path.join(dir, 'a/b'), { recursive: true });
      symlinkSync('../..', path.join(dir, 'a/b/up'));
      symlinkSync('.', path.join(dir, 'a/self'));
    },
    expect: [
      { file: 'LICENSE', message: /^LICENSE is a broken or looping symbolic link/ },
      { file: 'COPYING', message: /^COPYING is a broken or looping symbolic link/ },
      { file: 'NOTICE.md', message: /^NOTICE\.md is a broken or looping symbolic link/ },
    ],
    verdict: 'fail',
  },
  {
    name: 'a FIFO named LICENSE (must not hang waiting for a writer)',
    build(dir) {
      writePlainModel(dir);
      execFileSync('mkfifo', [path.join(dir, 'LICENSE')]);
    },
    expect: [{ file: 'LICENSE', message: /^LICENSE is not a regular file \(FIFO, device or socket\)/ }],
    verdict: 'fail',
  },
  {
    name: 'billion-laughs YAML in the card front matter',
    build(dir) {
      write(dir, 'config.json', PLAIN_CONFIG);
      write(dir, 'README.md', billionLaughsCard());
    },
    expect: [{ file: 'README.md', message: /^README\.md front matter cannot be read: .*alias/i }],
    verdict: 'fail',
    maxRssMiB: 250,
  },
  {
    name: 'a config.json nested 100,000 levels deep',
    build(dir) {
      write(dir, 'config.json', '['.repeat(100_000) + ']'.repeat(100_000));
      write(dir, 'README.md', PLAIN_CARD);
    },
    expect: [{ file: 'config.json', message: /^config\.json nests deeper than 64 levels/ }],
    verdict: 'fail',
  },
  {
    name: 'card front matter nested 100,000 levels deep (flow and block)',
    build(dir) {
      write(dir, 'config.json', PLAIN_CONFIG);
      write(dir, 'README.md', `---\nlicense: mit\nx: ${'['.repeat(100_000)}\n---\n`);
      const block = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
      write(dir, 'sub/config.json', PLAIN_CONFIG);
      write(dir, 'sub/README.md', `---\n${block}\n---\n`);
    },
    expect: [
      { file: 'README.md', message: /^README\.md front matter nests deeper than 64 levels/ },
      { file: 'sub/README.md', message: /^README\.md front matter nests deeper than 64 levels/ },
    ],
    verdict: 'fail',
  },
  {
    name: 'NUL bytes in config.json and LICENSE',
    build(dir) {
      write(
        dir,
        'config.json',
        Buffer.concat([Buffer.from('{"model_type": "ac'), Buffer.alloc(4), Buffer.from('me"}')]),
      );
      write(dir, 'README.md', PLAIN_CARD);
      write(
        dir,
        'LICENSE',
        Buffer.concat([Buffer.from('MIT License\n'), Buffer.alloc(64), Buffer.from('x')]),
      );
    },
    expect: [
      { file: 'config.json', message: /^config\.json looks binary \(NUL bytes\)/ },
      { file: 'LICENSE', message: /^LICENSE looks binary \(NUL bytes\)/ },
    ],
    verdict: 'fail',
  },
  {
    name: 'invalid UTF-8 in config.json, in the card, and in file names',
    build(dir) {
      write(
        dir,
        'config.json',
        Buffer.from([...Buffer.from('{"model_type": "a'), 0xff, 0xfe, 0xc3, ...Buffer.from('"}')]),
      );
      write(
        dir,
        'README.md',
        Buffer.concat([Buffer.from(PLAIN_CARD), Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0x0a])]),
      );
      // Names that are not UTF-8 at all: Node cannot even name them as strings.
      writeFileSync(Buffer.from([...Buffer.from(path.join(dir, 'LICENSE-')), 0xff, 0xfe]), 'x');
      mkdirSync(Buffer.from([...Buffer.from(path.join(dir, 'm-')), 0xc3, 0x28]));
      writeFileSync(
        Buffer.from([...Buffer.from(path.join(dir, 'm-')), 0xc3, 0x28, ...Buffer.from('/config.json')]),
        '{',
      );
    },
    expect: [
      { file: 'config.json', message: /^config\.json is not valid UTF-8, which JSON requires/ },
      { message: /not read completely: skipped 2 file names that are not valid UTF-8/ },
    ],
    verdict: 'fail',
  },
  {
    name: 'a 50 MB single-line README',
    build(dir) {
      write(dir, 'config.json', PLAIN_CONFIG);
      const line = Buffer.alloc(50 * 1024 * 1024, 'x');
      write(dir, 'README.md', Buffer.concat([Buffer.from(PLAIN_CARD), line]));
    },
    // Read up to the 4 MiB text bound and judged on that: the card's license passes, with a notice.
    expect: [{ file: 'README.md', message: /only the first 4194304 bytes .* were searched/ }],
    verdict: 'pass',
    maxRssMiB: 300,
  },
  {
    name: 'a 50 MB config.json',
    build(dir) {
      write(dir, 'config.json', `{"model_type": "acme", "pad": "${'x'.repeat(50 * 1024 * 1024)}"}`);
      write(dir, 'README.md', PLAIN_CARD);
    },
    expect: [{ file: 'config.json', message: /^config\.json is \d+ bytes, over the 4194304-byte bound/ }],
    verdict: 'fail',
  },
  {
    name: 'a heading followed by megabytes of blanks (regex backtracking in the title search)',
    build(dir) {
      write(dir, 'config.json', PLAIN_CONFIG);
      write(
        dir,
        'README.md',
        `${PLAIN_CARD}# a${' '.repeat(3 * 1024 * 1024)}x\n## b${'\t'.repeat(500_000)}#x\n`,
      );
    },
    expect: [],
    verdict: 'pass',
    maxRssMiB: 300,
  },
  {
    name: 'a config whose _name_or_path is a million slashes (regex backtracking in the hint)',
    build(dir) {
      const config = { ...DEEPSEEK_V3_CONFIG, _name_or_path: `${'/'.repeat(1_000_000)}x` };
      write(dir, 'config.json', JSON.stringify(config));
      write(dir, 'README.md', '---\nlicense: mit\nbase_model: deepseek-ai/DeepSeek-V3\n---\n');
    },
    expect: [
      {
        file: 'config.json',
        message: /"_name_or_path" is 1000001 characters long, over the 4096-character bound/,
      },
    ],
    verdict: 'fail',
    maxRssMiB: 300,
  },
];

/** Cases for the safetensors, GGUF and tokenizer readers that src/evidence/collect.ts wires in. */
export const WEIGHTS_CASES: HostileCase[] = [
  {
    name: 'a safetensors header claiming 2^62 bytes',
    build(dir) {
      writePlainModel(dir);
      write(dir, 'model.safetensors', safetensorsBytes(2n ** 62n, '{}'));
    },
    expect: [{ file: 'model.safetensors', message: /header length 4611686018427387904 exceeds/ }],
    verdict: 'fail',
  },
  {
    name: 'a truncated safetensors header',
    build(dir) {
      writePlainModel(dir);
      write(dir, 'model.safetensors', safetensorsBytes(4096n, '{"w": {"dtype": "F16", "shape": [2'));
    },
    expect: [{ file: 'model.safetensors', message: /header length 4096 exceeds the \d+ bytes that follow/ }],
    verdict: 'fail',
  },
  {
    name: 'a GGUF file with absurd tensor and key-value counts',
    build(dir) {
      write(dir, 'README.md', PLAIN_CARD);
      write(dir, 'model-Q4_K_M.gguf', Buffer.concat([ggufPreamble(2n ** 60n, 2n ** 60n), Buffer.alloc(64)]));
    },
    expect: [{ file: 'model-Q4_K_M.gguf', message: /tensor_count 1152921504606846976 exceeds the bound/ }],
    verdict: 'fail',
  },
  {
    name: 'a 90 MB tokenizer.json of empty objects that the structural scan rejects (no full parse)',
    build(dir) {
      writePlainModel(dir);
      write(dir, 'tokenizer.json', emptyObjectsTokenizer(30 * 1024 * 1024));
    },
    expect: [
      {
        file: 'tokenizer.json',
        message: /does not have the layout the gate reads .* too large to read another way/,
      },
    ],
    verdict: 'fail',
    maxMs: 20_000,
    maxRssMiB: 600,
  },
  {
    name: 'a 12 MB tokenizer.json of empty objects (under the full-parse size, over the container bound)',
    build(dir) {
      writePlainModel(dir);
      write(dir, 'tokenizer.json', emptyObjectsTokenizer(4 * 1024 * 1024));
    },
    expect: [{ file: 'tokenizer.json', message: /holds more than 2097152 JSON objects and arrays/ }],
    verdict: 'fail',
    maxMs: 20_000,
    maxRssMiB: 400,
  },
  {
    name: 'a safetensors header of three million empty objects',
    build(dir) {
      writePlainModel(dir);
      const body = Buffer.alloc(3_000_000 * 3, '{},');
      const json = Buffer.concat([
        Buffer.from('{"t":['),
        body.subarray(0, body.length - 1),
        Buffer.from(']}'),
      ]);
      write(dir, 'model.safetensors', safetensorsBytes(BigInt(json.length), json));
    },
    expect: [{ file: 'model.safetensors', message: /holds more than 1000000 JSON objects and arrays/ }],
    verdict: 'fail',
    maxMs: 20_000,
    maxRssMiB: 400,
  },
  {
    name: 'a tokenizer.json that is not JSON',
    build(dir) {
      writePlainModel(dir);
      write(dir, 'tokenizer.json', '{"model": {"type": "BPE", "vocab": {"a": 0,,}} <html>');
    },
    expect: [{ file: 'tokenizer.json', message: /not valid JSON/ }],
    verdict: 'fail',
  },
];

export interface HostileSuite {
  /** The directory outside the repo that links point at (its content must never be printed). */
  outside(): string;
  /** Removes `dirs` after the suite. */
  track(...dirs: string[]): void;
  /** A fresh parent dir with an empty `repo/` inside, removed after the suite. */
  freshRepo(prefix?: string): { parent: string; repo: string };
}

/** Registers a hostile suite's setup (the bundle built, an outside dir) and its cleanup. */
export function hostileSuite(): HostileSuite {
  const made: string[] = [];
  let outside = '';
  beforeAll(async () => {
    await buildOnce();
    outside = outsideDir();
    made.push(outside);
  }, 120_000);
  afterAll(() => {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  });
  return {
    outside: () => outside,
    track: (...dirs) => void made.push(...dirs),
    freshRepo(prefix = 'lg-hostile-') {
      const parent = mkdtempSync(path.join(tmpdir(), prefix));
      made.push(parent);
      const repo = path.join(parent, 'repo');
      mkdirSync(repo);
      return { parent, repo };
    },
  };
}
