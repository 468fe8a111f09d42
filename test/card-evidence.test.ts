import { parseCard } from '../src/evidence/card.js';

const CARD = [
  '---', // 1
  'license: other', // 2
  'license_name: deepseek', // 3
  'license_link: LICENSE', // 4
  'base_model:', // 5
  '  - deepseek-ai/DeepSeek-V3', // 6
  '  - Qwen/Qwen2.5-7B', // 7
  'base_model_relation: finetune', // 8
  'model-index:', // 9
  '  - name: My-Model', // 10
  '---', // 11
  '', // 12
  '```bash', // 13
  '# not a title', // 14
  '```', // 15
  '# My Model', // 16
  'Text.', // 17
].join('\n');

describe('parseCard', () => {
  it('extracts keys with their lines in the whole file', () => {
    const { card, problems } = parseCard('README.md', CARD);
    expect(problems).toEqual([]);
    expect(card.hasFrontMatter).toBe(true);
    expect(card.license).toEqual({ value: 'other', file: 'README.md', line: 2 });
    expect(card.licenseName).toEqual({ value: 'deepseek', file: 'README.md', line: 3 });
    expect(card.licenseLink?.line).toBe(4);
    expect(card.baseModels).toEqual([
      { value: 'deepseek-ai/DeepSeek-V3', file: 'README.md', line: 6 },
      { value: 'Qwen/Qwen2.5-7B', file: 'README.md', line: 7 },
    ]);
    expect(card.relation).toEqual({ value: 'finetune', file: 'README.md', line: 8 });
    expect(card.modelName).toEqual({ value: 'My-Model', file: 'README.md', line: 10 });
    expect(card.insertLine).toBe(2);
    expect(card.bodyLine).toBe(12);
    expect(card.body.startsWith('\n```bash')).toBe(true);
    expect(card.title).toEqual({ value: 'My Model', file: 'README.md', line: 16 });
  });

  it('accepts base_model as a single string', () => {
    const { card } = parseCard(
      'm/README.md',
      '---\nlicense: mit\n\nbase_model: meta-llama/Llama-3.1-8B\n---\n',
    );
    expect(card.baseModels).toEqual([{ value: 'meta-llama/Llama-3.1-8B', file: 'm/README.md', line: 4 }]);
  });

  it('gives the file line of invalid YAML and still returns the body', () => {
    const text = '---\nlicense: mit\nbase_model: [a, b\n---\n# Title\n';
    const { card, problems } = parseCard('README.md', text);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^README\.md front matter is not valid YAML: .+ \(line \d+\)$/);
    expect(problems[0].line).toBeGreaterThanOrEqual(3);
    expect(problems[0].message).toContain(`(line ${problems[0].line})`);
    expect(card.license).toBeNull();
    expect(card.baseModels).toEqual([]);
    expect(card.title).toEqual({ value: 'Title', file: 'README.md', line: 5 });
  });

  it('reports duplicate keys with the line of the duplicate', () => {
    const { problems } = parseCard('README.md', '---\nlicense: mit\nlicense: apache-2.0\n---\n');
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(3);
  });

  it('turns a billion-laughs alias bomb into a problem, quickly', () => {
    const lines = ['---', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'bcdefghi'.split('');
    let prev = 'a';
    for (const n of names) {
      lines.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]`);
      prev = n;
    }
    lines.push('license: mit', '---', 'body');
    const started = Date.now();
    const { card, problems } = parseCard('README.md', lines.join('\n'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/alias/i);
    expect(card.license).toBeNull();
    expect(card.body).toBe('body');
  });

  it('handles a card without front matter', () => {
    const { card, problems } = parseCard('README.md', 'Intro\n\n## Usage\n# Name\n');
    expect(problems).toEqual([]);
    expect(card.hasFrontMatter).toBe(false);
    expect(card.insertLine).toBe(1);
    expect(card.bodyLine).toBe(1);
    expect(card.body).toBe('Intro\n\n## Usage\n# Name\n');
    expect(card.title).toEqual({ value: 'Name', file: 'README.md', line: 4 });
  });

  it('reports front matter that is never closed', () => {
    const { card, problems } = parseCard('README.md', '---\nlicense: mit\n');
    expect(card.hasFrontMatter).toBe(false);
    expect(problems).toEqual([
      { file: 'README.md', line: 1, message: expect.stringMatching(/never closes/) },
    ]);
  });

  it('skips a UTF-8 BOM and accepts CRLF and a ... terminator', () => {
    const { card, problems } = parseCard('README.md', '\uFEFF---\r\nlicense: apache-2.0\r\n...\r\n# T\r\n');
    expect(problems).toEqual([]);
    expect(card.license).toEqual({ value: 'apache-2.0', file: 'README.md', line: 2 });
    expect(card.title).toEqual({ value: 'T', file: 'README.md', line: 4 });
  });

  it('reports wrong-type values by key and line, and ignores them', () => {
    const text = '---\nlicense: 42\nbase_model:\n  - ok/model\n  - {x: 1}\nlicense_name:\n  a: b\n---\n';
    const { card, problems } = parseCard('README.md', text);
    expect(card.license).toBeNull();
    expect(card.licenseName).toBeNull();
    expect(card.baseModels).toEqual([{ value: 'ok/model', file: 'README.md', line: 4 }]);
    expect(problems.map((p) => [p.line, p.message])).toEqual([
      [2, "README.md front matter: 'license' must be a string, not a number (line 2); ignored"],
      [7, "README.md front matter: 'license_name' must be a string, not a mapping (line 7); ignored"],
      [5, "README.md front matter: 'base_model' must be a string, not a mapping (line 5); ignored"],
    ]);
  });

  it('reports front matter that is not a mapping', () => {
    const { card, problems } = parseCard('README.md', '---\n- a\n- b\n---\nbody');
    expect(card.hasFrontMatter).toBe(true);
    expect(problems).toEqual([
      {
        file: 'README.md',
        line: 2,
        message: 'README.md front matter must be a mapping of keys to values, not a list (line 2)',
      },
    ]);
  });

  it('treats empty front matter as no keys, without a problem', () => {
    const { card, problems } = parseCard('README.md', '---\n---\nbody');
    expect(problems).toEqual([]);
    expect(card.hasFrontMatter).toBe(true);
    expect(card.body).toBe('body');
    expect(card.bodyLine).toBe(3);
  });

  it('turns hostile YAML nesting (flow and block) into a problem, quickly', () => {
    const n = 200_000;
    const flow = `---\nlicense: mit\nx: ${'['.repeat(n)}${']'.repeat(n)}\n---\n`;
    const block = `---\nx:\n${Array.from({ length: 200 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n')} v\n---\n`;
    const started = Date.now();
    for (const text of [flow, block]) {
      const { card, problems } = parseCard('README.md', text);
      expect(card.license).toBeNull();
      expect(problems).toHaveLength(1);
      expect(problems[0].message).toMatch(/nests deeper than 64 levels/);
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
