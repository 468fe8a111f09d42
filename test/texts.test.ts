import { filesForModel, findModelDirs } from '../src/evidence/discover.js';
import { decodeText, isLicenseLikeName, normalizeForMatch } from '../src/evidence/texts.js';
import type { RepoEntry } from '../src/sources/source.js';

describe('isLicenseLikeName', () => {
  it.each([
    'LICENSE',
    'license.txt',
    'LICENCE.md',
    'LICENSE-MODEL',
    'sub/dir/NOTICE',
    'COPYING.rst',
    'Copyright.markdown',
    'USE_POLICY.md',
    'USAGE_POLICY.md',
    'ACCEPTABLE_USE_POLICY.txt',
    'README.md',
    'README_zh.md',
    'ATTRIBUTION',
    'AUTHORS.txt',
    'LEGAL.md',
    'TERMS_OF_USE.md',
  ])('accepts %s', (name) => expect(isLicenseLikeName(name)).toBe(true));

  it.each([
    'config.json',
    'LICENSE.py',
    'LICENSE.pdf',
    'my_LICENSE',
    'license/model.bin',
    'NOTICE.json',
    'readme.html',
  ])('rejects %s', (name) => expect(isLicenseLikeName(name)).toBe(false));
});

describe('decodeText', () => {
  it('strips a UTF-8 BOM and passes truncation through', () => {
    const { text, problems } = decodeText('LICENSE', Buffer.from('\uFEFFMIT License', 'utf8'), true);
    expect(problems).toEqual([]);
    expect(text).toEqual({ file: 'LICENSE', text: 'MIT License', truncated: true });
  });

  it('calls a file with NUL bytes binary', () => {
    const data = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(16), Buffer.from('text')]);
    const { text, problems } = decodeText('LICENSE', data, false);
    expect(text).toBeNull();
    expect(problems).toEqual([
      { file: 'LICENSE', message: 'LICENSE looks binary (NUL bytes), not read as text' },
    ]);
  });

  it('only sniffs the first 8 KiB for NUL bytes', () => {
    const data = Buffer.concat([Buffer.alloc(9000, 0x61), Buffer.alloc(1)]);
    expect(decodeText('NOTICE', data, false).text?.text.length).toBe(9001);
  });

  it('decodes invalid UTF-8 with replacement characters and no problem', () => {
    const { text, problems } = decodeText('NOTICE', Buffer.from([0x41, 0xff, 0x42]), false);
    expect(problems).toEqual([]);
    expect(text?.text).toBe('A\uFFFDB');
  });

  it('drops a multi-byte character cut by truncation', () => {
    const euro = Buffer.from('a€', 'utf8'); // 4 bytes
    expect(decodeText('NOTICE', euro.subarray(0, 3), true).text?.text).toBe('a');
  });

  it('decodes UTF-16 with a BOM instead of calling it binary', () => {
    const data = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Apache', 'utf16le')]);
    expect(decodeText('LICENSE', data, false).text?.text).toBe('Apache');
  });
});

describe('normalizeForMatch', () => {
  it('makes formatting variants of a copyright line equal', () => {
    const a = normalizeForMatch('Copyright © 2023 DeepSeek');
    expect(a).toBe('copyright (c) 2023 deepseek');
    expect(normalizeForMatch('copyright (c) 2023   deepseek')).toBe(a);
    expect(normalizeForMatch('**Copyright (C) 2023\n  DeepSeek**')).toBe(a);
  });

  it('maps curly quotes, strips emphasis and block quotes, collapses whitespace', () => {
    const text =
      '> “Llama 3” is licensed under the _Llama 3 Community License_,\n> Copyright © Meta’s `Platforms`.';
    expect(normalizeForMatch(text)).toBe(
      '"llama 3" is licensed under the llama 3 community license, copyright (c) meta\'s platforms.',
    );
  });

  it('keeps a > that is not at a line start', () => {
    expect(normalizeForMatch('a > b')).toBe('a > b');
  });
});

const f = (path: string): RepoEntry => ({ path, size: 1, kind: 'file' });

describe('findModelDirs', () => {
  it('finds every directory with a model marker, root as "." first', () => {
    const entries = [
      f('README.md'),
      f('config.json'),
      f('gguf/model-Q4_K_M.gguf'),
      f('lora/adapter_config.json'),
      f('shards/model-00001-of-00002.safetensors'),
      f('sd/model_index.json'),
      f('docs/guide.md'),
    ];
    expect(findModelDirs(entries)).toEqual(['.', 'gguf', 'lora', 'sd', 'shards']);
  });

  it('falls back to the root when it has only a card or a license', () => {
    expect(findModelDirs([f('README.md'), f('docs/x.md')])).toEqual(['.']);
    expect(findModelDirs([f('LICENSE')])).toEqual(['.']);
    expect(findModelDirs([f('docs/README.md')])).toEqual([]);
  });
});

describe('filesForModel', () => {
  const entries = [
    f('LICENSE'),
    f('README.md'),
    f('config.json'),
    f('train.py'),
    f('models/NOTICE'),
    f('models/a/config.json'),
    f('models/a/README.md'),
    f('models/a/gguf/a.gguf'),
    f('models/b/config.json'),
  ];
  const dirs = findModelDirs(entries);

  it('gives the root its own files, excluding nested models', () => {
    const { own, inherited } = filesForModel('.', dirs, entries);
    expect(own.map((e) => e.path)).toEqual([
      'LICENSE',
      'README.md',
      'config.json',
      'models/NOTICE',
      'train.py',
    ]);
    expect(inherited).toEqual([]);
  });

  it('lets license-like files above a nested model travel with it', () => {
    const { own, inherited } = filesForModel('models/a', dirs, entries);
    expect(own.map((e) => e.path)).toEqual(['models/a/README.md', 'models/a/config.json']);
    expect(inherited.map((e) => e.path)).toEqual(['LICENSE', 'README.md', 'models/NOTICE']);
    expect(filesForModel('models/a/gguf', dirs, entries).own.map((e) => e.path)).toEqual([
      'models/a/gguf/a.gguf',
    ]);
  });
});
