// Run-wide bounds of runGate: the time budget, the number of model directories judged and an
// incomplete listing each become a malformed-file finding, never a silent cut or a crash.
import { DEFAULT_TIME_BUDGET_MS, MAX_MODELS, runGate } from '../src/gate.js';
import type { ReadResult, RepoEntry, RepoSource } from '../src/sources/source.js';

const CONFIG = JSON.stringify({ architectures: ['AcmeForCausalLM'], model_type: 'acme' });
const CARD = '---\nlicense: mit\n---\n# Acme\n';

/** An in-memory repo: `files` maps paths to contents; `notes` are what list() says about itself. */
function memorySource(files: Record<string, string>, notes: string[] = []): RepoSource {
  const entries: RepoEntry[] = Object.keys(files)
    .sort()
    .map((p) => ({ path: p, size: Buffer.byteLength(files[p]), kind: 'file' }));
  const read = async (p: string, offset: number, length: number): Promise<ReadResult> => {
    if (!(p in files)) return { ok: false, reason: 'does not exist' };
    const data = Buffer.from(files[p]);
    const part = data.subarray(offset, offset + length);
    return { ok: true, data: part, truncated: offset + part.length < data.length, size: data.length };
  };
  return {
    target: { kind: 'local', path: 'mem' },
    list: async () => ({ entries, notes }),
    read: (p, max) => read(p, 0, max),
    readRange: read,
  };
}

/** `n` model directories m0000…, each with a config and a passing card. */
function models(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const d = `m${String(i).padStart(4, '0')}`;
    files[`${d}/config.json`] = CONFIG;
    files[`${d}/README.md`] = CARD;
  }
  return files;
}

/** A clock that advances `step` ms on every reading. */
function steppingClock(step: number): () => number {
  let t = 0;
  return () => (t += step);
}

const malformed = (r: Awaited<ReturnType<typeof runGate>>) =>
  r.models.flatMap((m) =>
    m.findings.filter((f) => f.rule === 'malformed-file').map((f) => ({ m: m.path, ...f })),
  );

describe('run-wide bounds of runGate', () => {
  test('the default time budget is 60 s', () => {
    expect(DEFAULT_TIME_BUDGET_MS).toBe(60_000);
  });

  test('when the time budget runs out, the remaining models are named in a finding and not judged', async () => {
    // Each clock reading is 1 s later: the start, then one reading before each model.
    const report = await runGate({
      source: memorySource(models(10)),
      failOn: 'error',
      timeBudgetMs: 3_500,
      now: steppingClock(1_000),
    });
    expect(report.models.map((m) => m.path)).toEqual(['.', 'm0000', 'm0001', 'm0002']);
    expect(malformed(report)).toEqual([
      {
        m: '.',
        rule: 'malformed-file',
        severity: 'error',
        message: 'The 3.5 s time budget ran out: 7 of 10 model directories (from m0003 on) were not judged.',
        fix: expect.stringContaining('nothing past the limit was judged'),
      },
    ]);
    expect(report.verdict).toBe('fail');
    expect(report.summary.errors).toBe(1);
  });

  test('within the budget every model is judged and nothing is added', async () => {
    const report = await runGate({
      source: memorySource(models(3)),
      failOn: 'error',
      timeBudgetMs: 60_000,
      now: steppingClock(1_000),
    });
    expect(report.models.map((m) => m.path)).toEqual(['m0000', 'm0001', 'm0002']);
    expect(malformed(report)).toEqual([]);
    expect(report.verdict).toBe('pass');
  });

  test('the real clock is used by default and a quick run passes', async () => {
    const report = await runGate({ source: memorySource(models(2)), failOn: 'error' });
    expect(report.models).toHaveLength(2);
    expect(report.verdict).toBe('pass');
  });

  test(`more than ${MAX_MODELS} model directories: the first ${MAX_MODELS} are judged, the cut is a finding`, async () => {
    const report = await runGate({ source: memorySource(models(MAX_MODELS + 5)), failOn: 'error' });
    // The run-wide finding sits on a root entry, ahead of the judged models.
    expect(report.models).toHaveLength(MAX_MODELS + 1);
    expect(report.models[0].path).toBe('.');
    expect(report.models[MAX_MODELS].path).toBe(`m${String(MAX_MODELS - 1).padStart(4, '0')}`);
    expect(malformed(report).map((f) => f.message)).toEqual([
      `The repository holds ${MAX_MODELS + 5} model directories; only the first ${MAX_MODELS} were judged.`,
    ]);
  }, 60_000);

  test('listing notes (a capped or unreadable tree) become findings on the root model', async () => {
    const files = { 'config.json': CONFIG, 'README.md': CARD };
    const report = await runGate({
      source: memorySource(files, [
        'stopped listing after 50000 files',
        'could not list x: permission denied',
      ]),
      failOn: 'error',
    });
    expect(report.models.map((m) => m.path)).toEqual(['.']);
    expect(malformed(report).map((f) => [f.m, f.file, f.message])).toEqual([
      ['.', undefined, 'The repository was not read completely: stopped listing after 50000 files.'],
      ['.', undefined, 'The repository was not read completely: could not list x: permission denied.'],
    ]);
    expect(report.verdict).toBe('fail');
  });

  test('severity overrides of malformed-file apply to run-wide findings too', async () => {
    const source = memorySource({ 'config.json': CONFIG, 'README.md': CARD }, [
      'stopped listing after 5 files',
    ]);
    const warned = await runGate({ source, failOn: 'error', severities: { 'malformed-file': 'warning' } });
    expect(malformed(warned).map((f) => f.severity)).toEqual(['warning']);
    expect(warned.verdict).toBe('pass');
    const off = await runGate({ source, failOn: 'error', severities: { 'malformed-file': 'off' } });
    expect(malformed(off)).toEqual([]);
  });
});
