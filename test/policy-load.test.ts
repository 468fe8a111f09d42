// The policy loader: schema errors that name the line, hostile files bounded, and a property test
// that any input gives a policy or problems with lines, never a throw.
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { findPolicy, loadPolicy, parsePolicy, PolicyError, MAX_POLICY_BYTES } from '../src/policy/index.js';
import { DEEPSEEK_V3_CONFIG, tempDir } from './helpers/fixtures.js';
import { fuzzParams } from './helpers/fuzz.js';

const FILE = '.github/lineage-gate.yml';

async function problems(text: string): Promise<{ line?: number; message: string }[]> {
  const r = await parsePolicy(text, { file: FILE });
  if (r.ok) throw new Error('expected problems, got a policy');
  return r.problems;
}

async function policyOf(text: string) {
  const r = await parsePolicy(text, { file: FILE });
  if (!r.ok) throw new Error(`expected a policy, got ${JSON.stringify(r.problems)}`);
  return r.policy;
}

describe('a valid policy', () => {
  test('every key is read into the resolved policy', async () => {
    const p = await policyOf(
      [
        'fail-on: warning',
        'rules:',
        '  architecture-reuse: off',
        '  naming: error',
        'paths: ["models/**"]',
        'ignore: [models/experimental]',
        'allow-licenses: [mit, Apache-2.0, llama3.1]',
        'deny-licenses: [GPL-3.0-only]',
        'fail-on-unknown-license: true',
        'exceptions:',
        '  - rule: undeclared-base',
        '    path: models/legacy',
        '    reason: Approved by legal (LEG-42)',
        '    expires: "2030-01-31"',
        '  - rule: missing-notice',
        '    base: meta-llama/Llama-3.1-8B',
        '    reason: Notice ships in the container image',
      ].join('\n'),
    );
    expect(p.failOn).toBe('warning');
    expect(p.severities).toEqual({ 'architecture-reuse': 'off', naming: 'error' });
    expect(p.paths.include.map((g) => g.pattern)).toEqual(['models/**']);
    expect(p.paths.exclude.map((g) => g.pattern)).toEqual(['models/experimental']);
    expect(p.licenses).toEqual({
      allow: ['mit', 'Apache-2.0', 'llama3.1'],
      deny: ['GPL-3.0-only'],
      failOnUnknown: true,
    });
    expect(p.exceptions).toHaveLength(2);
    expect(p.exceptions[0]).toMatchObject({
      rule: 'undeclared-base',
      path: 'models/legacy',
      reason: 'Approved by legal (LEG-42)',
      expires: '2030-01-31',
      line: 11,
    });
    expect(p.exceptions[1]).toMatchObject({ base: 'meta-llama/Llama-3.1-8B', line: 15 });
    expect(p.exceptions[1].expires).toBeUndefined();
  });

  test("docs/policy.md's example file is a valid policy", async () => {
    const doc = readFileSync(new URL('../docs/policy.md', import.meta.url), 'utf8');
    const example = /```yaml\n(# \.github\/lineage-gate\.yml\n[\s\S]*?)```/.exec(doc)![1];
    const reads: string[] = [];
    const r = await parsePolicy(example, {
      file: FILE,
      readText: async (p) => (reads.push(p), { ok: true, text: JSON.stringify(DEEPSEEK_V3_CONFIG) }),
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(reads).toEqual(['upstream/acme-base-7b/config.json']);
    expect(r.policy.exceptions.map((e) => e.rule)).toEqual(['undeclared-base', 'disallowed-license']);
    expect(r.policy.catalog.licenses?.['policy:acme/acme-base-7b']).toMatchObject({
      name: 'Acme Model License',
      kind: 'restricted',
      restrictions: ['no use in weapons systems'],
    });
  });

  test('an empty file or one holding only comments is the default policy', async () => {
    for (const text of ['', '# nothing yet\n', '---\n']) {
      const p = await policyOf(text);
      expect(p.failOn).toBeUndefined();
      expect(p.severities).toEqual({});
      expect(p.licenses).toEqual({ allow: null, deny: [], failOnUnknown: false });
    }
  });
});

describe('schema errors name the line', () => {
  test.each([
    ['fail-on: errors\n', 1, /^fail-on must be one of error, warning, never$/],
    [
      '# policy\n\nfail-on-unknown-license: "yes"\n',
      3,
      /fail-on-unknown-license must be true or false, not a string/,
    ],
    ['rules:\n  naming: warning\n  no-such-rule: error\n', 3, /rules: unknown rule 'no-such-rule'/],
    ['rules:\n  naming: loud\n', 2, /rules\.naming must be one of error, warning, notice, off/],
    ['paths: models/**\n', 1, /paths must be a list/],
    ['ignore:\n  - ok/**\n  - ""\n', 3, /ignore\[1\] glob "" is empty/],
    ['allow-licenses:\n  - mit\n  - not a license\n', 3, /allow-licenses\[1\]: "not a license" is neither/],
    [
      'deny-licenses:\n  - MIT OR GPL-3.0-only\n',
      2,
      /deny-licenses\[0\]: .* is an expression; list single licenses/,
    ],
    ['fail_on: error\n', 1, /unknown key 'fail_on' \(did you mean 'fail-on'\?\)/],
  ])('%j → line %d', async (text, line, message) => {
    const [first] = await problems(text);
    expect(first.line).toBe(line);
    expect(first.message).toMatch(message);
  });

  test('an exception without a reason points at the exception; a bad date at its line', async () => {
    const text = [
      'exceptions:',
      '  - rule: undeclared-base',
      '    path: models/x',
      '  - rule: naming',
      '    reason: ok',
      '    expires: "2026-02-30"',
      '  - rule: nope',
      '    reason: ok',
    ].join('\n');
    const ps = await problems(text);
    expect(ps).toEqual(
      expect.arrayContaining([
        { line: 2, message: "exceptions[0]: 'reason' is required" },
        { line: 6, message: 'exceptions[1].expires must be a real date written YYYY-MM-DD' },
        expect.objectContaining({
          line: 7,
          message: expect.stringMatching(/^exceptions\[2\]\.rule must be a rule id/),
        }),
      ]),
    );
  });

  test('a base with a bad license and no usable config names both lines', async () => {
    const ps = await problems(
      ['bases:', '  - id: acme/base', '    license: "MIT ANDOR X"', '    config: {hidden_size: 1}'].join(
        '\n',
      ),
    );
    expect(ps[0]).toEqual({
      line: 3,
      message:
        'bases[0].license: "MIT ANDOR X" is neither a Hugging Face license id nor a valid SPDX expression',
    });
    const few = await problems(
      ['bases:', '  - id: acme/base', '    license: mit', '    config: {hidden_size: 1}'].join('\n'),
    );
    expect(few[0].line).toBe(4);
    expect(few[0].message).toMatch(/^bases\[0\]\.config: has too few shape fields/);
  });

  test('YAML syntax errors and duplicate keys name their line', async () => {
    expect((await problems('fail-on: error\nrules: [a\n'))[0].line).toBeGreaterThanOrEqual(2);
    const dup = await problems('fail-on: error\npaths: [a]\nfail-on: never\n');
    expect(dup[0].line).toBe(3);
    expect(dup[0].message).toMatch(/not valid YAML/);
  });

  test('a top level that is not a mapping is refused', async () => {
    expect(await problems('- fail-on: error\n')).toEqual([
      { line: 1, message: 'must be a mapping of keys to values, not a list' },
    ]);
  });

  test('PolicyError is one line: file:line, the first problem, and how many more', () => {
    const e = new PolicyError(FILE, [
      { line: 3, message: 'fail-on must be one of error, warning, never' },
      { line: 5, message: 'x' },
      { line: 6, message: 'y' },
    ]);
    expect(e.message).toBe(
      'policy .github/lineage-gate.yml:3: fail-on must be one of error, warning, never (and 2 more problems)',
    );
    expect(e.message).not.toContain('\n');
  });
});

describe('hostile policy files are bounded', () => {
  test('an alias bomb is refused, not expanded', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const [p] = await problems(lines.join('\n'));
    expect(p.line).toBe(1);
    expect(p.message).toMatch(/cannot be read as YAML: .*alias/i);
  });

  test('deep nesting is refused with its line', async () => {
    const text = 'paths:\n  - ' + '['.repeat(500) + ']'.repeat(500) + '\n';
    const [p] = await problems(text);
    expect(p).toEqual({ line: 2, message: 'nests deeper than 32 levels' });
  });

  test('over 256 KiB is refused before parsing', async () => {
    const [p] = await problems('# ' + 'x'.repeat(MAX_POLICY_BYTES) + '\n');
    expect(p.message).toBe('is larger than 256 KiB');
  });

  test('a recursive anchor inside an inline config is refused', async () => {
    const ps = await problems(
      [
        'bases:',
        '  - id: acme/base',
        '    license: mit',
        '    config: &c {hidden_size: 2048, loop: *c}',
      ].join('\n'),
    );
    expect(ps[0].line).toBeGreaterThanOrEqual(1);
  });

  test('property: near-valid documents get a policy, or problems whose line holds the named key', async () => {
    const scalar = fc.oneof(
      fc.constantFrom(
        'error',
        'warning',
        'off',
        'mit',
        'GPL-3.0-only',
        'models/**',
        '2026-01-01',
        'naming',
        '',
      ),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.oneof(
      scalar,
      fc.array(scalar, { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('rule', 'reason', 'path', 'naming', 'x'), scalar, { maxKeys: 3 }),
    );
    const entry = fc.dictionary(
      fc.constantFrom('rule', 'reason', 'path', 'base', 'expires', 'id', 'license', 'config', 'bogus'),
      value,
      { maxKeys: 5 },
    );
    const doc = fc.record(
      {
        'fail-on': value,
        rules: fc.dictionary(fc.constantFrom('naming', 'undeclared-base', 'no-such-rule'), value, {
          maxKeys: 3,
        }),
        paths: value,
        'allow-licenses': value,
        exceptions: fc.array(entry, { maxLength: 3 }),
        bases: fc.array(entry, { maxLength: 2 }),
        fail_on: value,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(doc, async (d) => {
        const text = stringify(d);
        const lines = text.split('\n');
        const r = await parsePolicy(text, { file: FILE });
        if (r.ok) return;
        for (const p of r.problems) {
          expect(
            Number.isInteger(p.line) && (p.line as number) >= 1 && (p.line as number) <= lines.length,
          ).toBe(true);
          // A problem that names a top-level key points at a line inside that key's block.
          const top = /^(?:unknown key ')?([a-z_-]+)/.exec(p.message)?.[1];
          if (top && top in d) {
            const start = lines.findIndex((l) => l.startsWith(`${top}:`)) + 1;
            const next = lines.findIndex((l, i) => i >= start && /^[^\s#-]/.test(l));
            expect(p.line).toBeGreaterThanOrEqual(start);
            expect(p.line).toBeLessThanOrEqual(next < 0 ? lines.length : next);
          }
        }
      }),
      fuzzParams(),
    );
  });

  test('property: any text gives a policy or problems with lines, never a throw', async () => {
    const keys = [
      'fail-on',
      'rules',
      'paths',
      'ignore',
      'allow-licenses',
      'deny-licenses',
      'fail-on-unknown-license',
      'exceptions',
      'bases',
      'reason',
      'rule',
      'expires',
      'config',
      'license',
    ];
    const yamlish = fc
      .array(
        fc.tuple(
          fc.nat(6),
          fc.constantFrom(
            ...keys,
            '-',
            '- rule',
            '&a',
            '*a',
            '[',
            ']',
            '{',
            '}',
            '"',
            "'",
            ':',
            '!!binary',
            '? ',
          ),
          fc.oneof(
            fc.string({ maxLength: 12 }),
            fc.constantFrom('error', 'off', 'mit', 'models/**', '2026-01-01'),
          ),
        ),
        { maxLength: 30 },
      )
      .map((rows) => rows.map(([indent, k, v]) => `${' '.repeat(indent)}${k}: ${v}`).join('\n'));
    await fc.assert(
      fc.asyncProperty(fc.oneof(yamlish, fc.string({ maxLength: 300 })), async (text) => {
        const r = await parsePolicy(text, { file: FILE });
        if (r.ok) return;
        expect(r.problems.length).toBeGreaterThan(0);
        for (const p of r.problems) {
          expect(typeof p.message).toBe('string');
          expect(Number.isInteger(p.line) && (p.line as number) >= 1).toBe(true);
        }
      }),
      fuzzParams(),
    );
  });
});

describe('reading the file', () => {
  test('the default path is optional; an explicit one must exist', async () => {
    const root = tempDir('lg-policy-');
    await expect(findPolicy(undefined, root)).resolves.toBeNull();
    await expect(findPolicy('missing.yml', root, root)).rejects.toThrow(
      /^policy missing\.yml: does not exist$/,
    );
  });

  test('.github/lineage-gate.yml in the root is found; its base config path is read from the repo', async () => {
    const root = tempDir('lg-policy-');
    mkdirSync(path.join(root, '.github'));
    mkdirSync(path.join(root, 'private'));
    writeFileSync(path.join(root, 'private/config.json'), JSON.stringify(DEEPSEEK_V3_CONFIG));
    writeFileSync(
      path.join(root, FILE),
      'fail-on: never\nbases:\n  - id: acme/v3-fork\n    license: mit\n    config: private/config.json\n',
    );
    const p = await findPolicy(undefined, root);
    expect(p?.failOn).toBe('never');
    expect(p?.catalog.checkpoints?.[0]).toMatchObject({ id: 'acme/v3-fork', license: 'mit' });
    expect(p?.catalog.checkpoints?.[0].config.hidden_size).toBe(7168);
  });

  test('a base config outside the repository, or broken, is an error naming the policy line', async () => {
    const root = tempDir('lg-policy-');
    mkdirSync(path.join(root, '.github'));
    writeFileSync(path.join(root, 'bad.json'), '{"hidden_size": 1,,}');
    const write = (config: string) =>
      writeFileSync(
        path.join(root, FILE),
        `bases:\n  - id: acme/x\n    license: mit\n    config: ${config}\n`,
      );
    write('../outside/config.json');
    await expect(findPolicy(undefined, root)).rejects.toThrow(
      /^policy .*lineage-gate\.yml:4: bases\[0\]\.config: \.\.\/outside\/config\.json contains '\.\.'/,
    );
    write('bad.json');
    await expect(findPolicy(undefined, root)).rejects.toThrow(
      /:4: bases\[0\]\.config: bad\.json is not valid JSON/,
    );
  });

  test('a policy that links out of the repository is refused, not followed', async () => {
    const root = tempDir('lg-policy-');
    const outside = tempDir('lg-secret-');
    writeFileSync(path.join(outside, 'secret.yml'), 'fail-on: never\n');
    mkdirSync(path.join(root, '.github'));
    symlinkSync(path.join(outside, 'secret.yml'), path.join(root, FILE));
    await expect(findPolicy(undefined, root)).rejects.toThrow(/points outside the repository/);
  });

  test('a FIFO or an oversized file is refused without hanging', async () => {
    const root = tempDir('lg-policy-');
    mkdirSync(path.join(root, '.github'));
    execFileSync('mkfifo', [path.join(root, FILE)]);
    await expect(findPolicy(undefined, root)).rejects.toThrow(PolicyError);
    const big = path.join(root, 'big.yml');
    writeFileSync(big, '#'.repeat(MAX_POLICY_BYTES + 10));
    await expect(loadPolicy({ file: big })).rejects.toThrow(/is larger than 256 KiB/);
  });
});
