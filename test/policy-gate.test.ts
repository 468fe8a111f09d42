// The policy applied by runGate on real repos in temp dirs: monorepo paths/ignore, exceptions (live
// and expired), per-rule severities, license lists, and private bases from `bases`.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runGate } from '../src/gate.js';
import { findPolicy, parsePolicy, type Policy } from '../src/policy/index.js';
import { createLocalSource } from '../src/sources/local.js';
import type { RepoSource } from '../src/sources/source.js';
import type { Report } from '../src/types.js';
import { DEEPSEEK_V3_CONFIG, tempDir, writeAttributed, writeUndeclared } from './helpers/fixtures.js';
import { reportValidator } from './helpers/schema.js';

const validate = reportValidator();

async function policy(text: string): Promise<Policy> {
  const r = await parsePolicy(text, { file: '.github/lineage-gate.yml' });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.policy;
}

function sub(root: string, dir: string): string {
  const p = path.join(root, dir);
  mkdirSync(p, { recursive: true });
  return p;
}

/** A local source that records which files the pipeline read. */
function recording(root: string): { source: RepoSource; reads: string[] } {
  const inner = createLocalSource(root);
  const reads: string[] = [];
  return {
    reads,
    source: {
      target: inner.target,
      list: () => inner.list(),
      read: (p, n) => (reads.push(p), inner.read(p, n)),
      readRange: (p, o, l) => (reads.push(p), inner.readRange(p, o, l)),
    },
  };
}

const rulesOf = (r: Report, model?: string) =>
  r.models
    .filter((m) => model === undefined || m.path === model)
    .flatMap((m) => m.findings.map((f) => f.rule));

describe('paths and ignore (monorepo)', () => {
  let root: string;
  beforeAll(() => {
    root = tempDir('lg-mono-');
    writeUndeclared(sub(root, 'models/a'));
    writeAttributed(sub(root, 'models/b'));
    writeUndeclared(sub(root, 'models/b/experimental'));
    // Broken on purpose: if it were read, it would be a malformed-file finding.
    writeFileSync(path.join(sub(root, 'research/c'), 'config.json'), '{ not json');
  });

  test('without a policy every model directory is judged', async () => {
    const r = await runGate({ source: createLocalSource(root), failOn: 'error' });
    expect(r.models.map((m) => m.path)).toEqual([
      'models/a',
      'models/b',
      'models/b/experimental',
      'research/c',
    ]);
    expect(rulesOf(r, 'research/c')).toContain('malformed-file');
  });

  test('paths selects, ignore removes (with everything below it), and nothing excluded is read', async () => {
    const { source, reads } = recording(root);
    const p = await policy('paths: ["models/**"]\nignore: [models/b/experimental]\n');
    const r = await runGate({ source, failOn: 'error', policy: p });
    expect(r.models.map((m) => m.path)).toEqual(['models/a', 'models/b']);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((f) => f.startsWith('research/') || f.startsWith('models/b/experimental/'))).toEqual(
      [],
    );
    // A nested model that is ignored still does not lend its files to its parent.
    expect(r.models.find((m) => m.path === 'models/b')!.lineage[0]).toMatchObject({ declared: true });
    expect(r.verdict).toBe('fail');
    expect(validate(r)).toBe(true);
  });

  test('ignore alone, with a directory pattern', async () => {
    const r = await runGate({
      source: createLocalSource(root),
      failOn: 'error',
      policy: await policy('ignore: [research, "models/a/"]\n'),
    });
    expect(r.models.map((m) => m.path)).toEqual(['models/b', 'models/b/experimental']);
  });
});

describe('exceptions', () => {
  let root: string;
  beforeAll(() => {
    root = tempDir('lg-exc-');
    writeUndeclared(sub(root, 'models/x'));
    writeAttributed(sub(root, 'models/y'));
  });
  const text = [
    'exceptions:',
    '  - rule: undeclared-base',
    '    path: models/x',
    '    reason: Legal reviewed the repackaging (LEG-7)',
    '    expires: "2026-01-01"',
    '  - rule: missing-upstream-license',
    '    base: deepseek-ai/DeepSeek-V3',
    '    reason: MIT text ships in the release archive',
  ].join('\n');

  test('a live exception suppresses the finding: recorded, not counted', async () => {
    const r = await runGate({
      source: createLocalSource(root),
      failOn: 'error',
      policy: await policy(text),
      today: new Date('2025-12-31T23:59:59Z'),
    });
    const x = r.models.find((m) => m.path === 'models/x')!;
    expect(x.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(x.suppressed?.map((s) => [s.rule, s.exception])).toEqual([
      ['undeclared-base', { reason: 'Legal reviewed the repackaging (LEG-7)', expires: '2026-01-01' }],
      ['missing-upstream-license', { reason: 'MIT text ships in the release archive' }],
    ]);
    expect(r.summary.errors).toBe(0);
    expect(r.verdict).toBe('pass');
    expect(validate(r)).toBe(true);
  });

  test('on its expiry date the exception lapses: the finding fails again and names the exception and date', async () => {
    const r = await runGate({
      source: createLocalSource(root),
      failOn: 'error',
      policy: await policy(text),
      today: new Date('2026-01-01T00:00:00Z'),
    });
    expect(r.verdict).toBe('fail');
    const x = r.models.find((m) => m.path === 'models/x')!;
    const f = x.findings.find((f) => f.rule === 'undeclared-base')!;
    expect(f.severity).toBe('error');
    expect(f.message).toMatch(
      / \(exception "Legal reviewed the repackaging \(LEG-7\)" for undeclared-base on models\/x expired on 2026-01-01\)$/,
    );
    // The exception without expiry still holds.
    expect(x.suppressed?.map((s) => s.rule)).toEqual(['missing-upstream-license']);
    expect(r.summary.errors).toBe(1);
  });

  test('path and base must both match; another path or base is not covered', async () => {
    const r = await runGate({
      source: createLocalSource(root),
      failOn: 'error',
      policy: await policy(
        [
          'exceptions:',
          '  - rule: undeclared-base',
          '    path: models/y',
          '    reason: wrong model',
          '  - rule: missing-upstream-license',
          '    path: "models/*"',
          '    base: meta-llama/Llama-3.1-8B',
          '    reason: wrong base',
        ].join('\n'),
      ),
    });
    expect(rulesOf(r, 'models/x')).toEqual(
      expect.arrayContaining(['undeclared-base', 'missing-upstream-license']),
    );
    expect(r.models.every((m) => m.suppressed === undefined)).toBe(true);
  });
});

describe('exceptions: scope', () => {
  test("path '.' covers the root model only; a file glob covers findings in that file", async () => {
    const root = tempDir('lg-scope-');
    writeUndeclared(root);
    writeUndeclared(sub(root, 'nested'));
    const gate = async (scope: string) =>
      runGate({
        source: createLocalSource(root),
        failOn: 'error',
        policy: await policy(`exceptions:\n  - rule: undeclared-base\n    ${scope}\n    reason: r\n`),
      });
    const covered = (r: Report) => r.models.filter((m) => m.suppressed?.length).map((m) => m.path);
    expect(covered(await gate('path: .'))).toEqual(['.']);
    expect(covered(await gate('path: "nested/README.md"'))).toEqual(['nested']);
    expect(covered(await gate('path: "**/README.md"'))).toEqual(['.', 'nested']);
    expect(covered(await gate('base: DEEPSEEK-AI/deepseek-v3'))).toEqual(['.', 'nested']);
  });
});

describe('rules: per-rule severity', () => {
  test('raises, lowers and turns off rules; inline severities win over the file', async () => {
    const root = writeUndeclared(tempDir('lg-sev-'));
    const p = await policy(
      'rules:\n  undeclared-base: warning\n  missing-upstream-license: off\n  license-conflict: error\n',
    );
    const r = await runGate({ source: createLocalSource(root), failOn: 'error', policy: p });
    const sev = Object.fromEntries(r.models[0].findings.map((f) => [f.rule, f.severity]));
    expect(sev['undeclared-base']).toBe('warning');
    expect(sev['missing-upstream-license']).toBeUndefined();
    expect(sev['license-conflict']).toBe('error');
    const inline = await runGate({
      source: createLocalSource(root),
      failOn: 'error',
      policy: p,
      severities: { 'undeclared-base': 'notice' },
    });
    expect(inline.models[0].findings.find((f) => f.rule === 'undeclared-base')?.severity).toBe('notice');
  });
});

describe('disallowed-license', () => {
  function repo(card: string, config: object = DEEPSEEK_V3_CONFIG): string {
    const root = tempDir('lg-lic-');
    writeFileSync(path.join(root, 'config.json'), JSON.stringify(config, null, 2));
    writeFileSync(path.join(root, 'README.md'), card);
    return root;
  }
  const gate = async (root: string, text: string) =>
    runGate({ source: createLocalSource(root), failOn: 'error', policy: await policy(text) });
  const disallowed = (r: Report) =>
    r.models.flatMap((m) => m.findings).filter((f) => f.rule === 'disallowed-license');
  const smallConfig = {
    architectures: ['AcmeForCausalLM'],
    hidden_size: 1000,
    intermediate_size: 3000,
    num_attention_heads: 10,
  };

  test('MIT AND GPL-3.0-only with GPL denied fails at the license line', async () => {
    const root = repo('---\nlibrary_name: x\nlicense: MIT AND GPL-3.0-only\n---\n# M\n', smallConfig);
    const [f, ...rest] = disallowed(await gate(root, 'deny-licenses: [GPL-3.0-only]\n'));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ severity: 'error', file: 'README.md', line: 3 });
    expect(f.message).toMatch(/^license: MIT AND GPL-3\.0-only is denied by the policy: .*GPL-3\.0-only/);
  });

  test('MIT OR Apache-2.0 passes an allow-list holding MIT', async () => {
    const root = repo('---\nlicense: mit OR apache-2.0\n---\n# M\n', smallConfig);
    expect(disallowed(await gate(root, 'allow-licenses: [MIT]\n'))).toEqual([]);
    expect(disallowed(await gate(root, 'allow-licenses: [BSD-3-Clause]\n'))).toHaveLength(1);
  });

  test("the strong-lineage base's license is judged too: DeepSeek-V3's MIT against an Apache-only list", async () => {
    const root = repo('---\nlicense: apache-2.0\nbase_model: deepseek-ai/DeepSeek-V3\n---\n# M\n');
    const fs = disallowed(await gate(root, 'allow-licenses: [apache-2.0]\n'));
    expect(fs).toHaveLength(1);
    expect(fs[0]).toMatchObject({ base: 'deepseek-ai/DeepSeek-V3', file: 'config.json' });
    expect(fs[0].message).toMatch(/under the MIT License \(MIT\); the policy does not allow MIT/);
    expect(disallowed(await gate(root, 'allow-licenses: [apache-2.0, mit]\n'))).toEqual([]);
  });

  test('fail-on-unknown-license: license other without a known name fails; qwen by license_name is known', async () => {
    const unknown = repo(
      '---\nlicense: other\nlicense_name: acme-eula\nlicense_link: LICENSE\n---\n# M\n',
      smallConfig,
    );
    const [f] = disallowed(await gate(unknown, 'fail-on-unknown-license: true\n'));
    expect(f.message).toMatch(
      /cannot be identified: it declares license: other with license_name: acme-eula/,
    );
    expect(f).toMatchObject({ file: 'README.md', line: 2 });
    // Without the flag an unidentifiable license is not judged by the lists.
    expect(disallowed(await gate(unknown, 'deny-licenses: [GPL-3.0-only]\n'))).toEqual([]);
    const qwen = repo(
      '---\nlicense: other\nlicense_name: qwen\nlicense_link: LICENSE\n---\n# M\n',
      smallConfig,
    );
    expect(disallowed(await gate(qwen, 'fail-on-unknown-license: true\n'))).toEqual([]);
    expect(disallowed(await gate(qwen, 'deny-licenses: [LicenseRef-Qwen]\n'))).toHaveLength(1);
  });

  test('silent without a policy or without license keys; its severity can be set like any rule', async () => {
    const root = repo('---\nlicense: other\n---\n# M\n', smallConfig);
    expect(disallowed(await runGate({ source: createLocalSource(root), failOn: 'error' }))).toEqual([]);
    expect(disallowed(await gate(root, 'fail-on: never\n'))).toEqual([]);
    const [f] = disallowed(
      await gate(root, 'fail-on-unknown-license: true\nrules:\n  disallowed-license: warning\n'),
    );
    expect(f.severity).toBe('warning');
  });
});

describe('bases: private upstream models', () => {
  // A geometry no public checkpoint in the catalog has.
  const ACME = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 2304,
    intermediate_size: 7424,
    num_attention_heads: 18,
    num_key_value_heads: 6,
    num_hidden_layers: 30,
    vocab_size: 64000,
    rope_theta: 250000,
    rms_norm_eps: 1e-5,
  };
  const NOTICE = 'Acme Base is licensed under the Acme Model License, Copyright (c) Acme Corp.';

  function repoWithPrivateBase(card: string): string {
    const root = tempDir('lg-base-');
    const model = sub(root, 'models/chat');
    // The fine-tune keeps the geometry, resizes the vocabulary a little and renames nothing.
    writeFileSync(path.join(model, 'config.json'), JSON.stringify({ ...ACME, vocab_size: 64002 }, null, 2));
    writeFileSync(path.join(model, 'README.md'), card);
    mkdirSync(path.join(root, '.github'));
    mkdirSync(path.join(root, 'upstream/acme-base'), { recursive: true });
    writeFileSync(path.join(root, 'upstream/acme-base/config.json'), JSON.stringify(ACME, null, 2));
    writeFileSync(
      path.join(root, '.github/lineage-gate.yml'),
      [
        '# The base config in the repo is a model directory too: not judged itself.',
        'ignore: [upstream]',
        'bases:',
        '  - id: acme/acme-base-7b',
        '    license: LicenseRef-Acme-Model-License',
        '    config: upstream/acme-base/config.json',
        '    license-facts:',
        '      name: Acme Model License',
        '      kind: restricted',
        `      notice-phrases: ["${NOTICE}"]`,
        '      restrictions: [no use in weapons systems]',
        '  - id: acme/inline-tiny',
        '    license: llama3.1',
        '    config: {hidden_size: 1536, intermediate_size: 4096, num_attention_heads: 12, num_key_value_heads: 4}',
      ].join('\n'),
    );
    return root;
  }

  test('the catalog does not know the geometry on its own', async () => {
    const root = repoWithPrivateBase('---\nlicense: apache-2.0\n---\n# Acme Chat\n');
    const r = await runGate({ source: createLocalSource(root), failOn: 'error' });
    expect(r.models[0].lineage.filter((l) => l.strength === 'strong')).toEqual([]);
  });

  test('with the policy: strong lineage to the private base, and its obligations', async () => {
    const root = repoWithPrivateBase('---\nlicense: apache-2.0\n---\n# Acme Chat\n');
    const p = await findPolicy(undefined, root);
    const r = await runGate({ source: createLocalSource(root), failOn: 'error', policy: p! });
    const m = r.models[0];
    expect(m.lineage[0]).toMatchObject({ base: 'acme/acme-base-7b', strength: 'strong', declared: false });
    const rules = m.findings.map((f) => `${f.rule}:${f.severity}`);
    expect(rules).toEqual(
      expect.arrayContaining(['undeclared-base:error', 'missing-notice:error', 'license-conflict:error']),
    );
    expect(m.findings.find((f) => f.rule === 'missing-notice')!.fix).toContain(NOTICE);
    expect(m.obligations).toEqual(['acme/acme-base-7b: no use in weapons systems']);
    expect(validate(r)).toBe(true);
  });

  test('declaring the private base and shipping its notice passes', async () => {
    const root = repoWithPrivateBase(
      `---\nlicense: other\nlicense_name: acme\nlicense_link: LICENSE\nbase_model: acme/acme-base-7b\n---\n# Acme Chat\n\n${NOTICE}\n`,
    );
    const p = await findPolicy(undefined, root);
    const r = await runGate({ source: createLocalSource(root), failOn: 'error', policy: p! });
    expect(r.models.map((m) => m.path)).toEqual(['models/chat']);
    expect(r.models[0].lineage[0]).toMatchObject({ base: 'acme/acme-base-7b', declared: true });
    expect(r.summary.errors).toBe(0);
  });
});
